# The two quick-start targets of the README. Both work on a fresh Debian machine:
# they create .venv, install what they need, and never download a browser build
# (Debian's chromium is used through Playwright's executable_path).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
NODE_DIR := tests/.node
CHROMIUM ?= /usr/bin/chromium
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint bench venv deps test-deps chromium node-deps clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	touch $@

venv: $(VENV)/.created

deps: venv
	$(PIP) install -q -e . mkdocs-material

test-deps: venv
	$(PIP) install -q -e '.[test]'

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium (needs root)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

node-deps:
	@if [ ! -d "$(NODE_DIR)/node_modules/csp_evaluator" ] || [ ! -d "$(NODE_DIR)/node_modules/axe-core" ]; then \
	  mkdir -p $(NODE_DIR) && cd $(NODE_DIR) && npm install --no-audit --no-fund --silent \
	    --prefix . csp_evaluator@1 axe-core@4 >/dev/null; \
	fi
	@# the real Mermaid, served by the tests' local unpkg stub (Trusted Types measurement)
	@if [ ! -d "$(NODE_DIR)/node_modules/mermaid" ]; then \
	  mkdir -p $(NODE_DIR) && cd $(NODE_DIR) && npm install --no-audit --no-fund --silent \
	    --prefix . mermaid@11 >/dev/null; \
	fi

## make demo: build demo_site/ with the plugin and serve the built site on http://127.0.0.1:8000/
# The built files are served as they would be deployed (no live-reload script injected), at
# demo_site's site_url, so Material's instant navigation is active.
demo: deps
	cd demo_site && ../$(VENV)/bin/mkdocs build --strict
	@echo "Serving demo_site/site on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) -m http.server --bind $(HOST) --directory demo_site/site $(PORT)

## make test: install everything (Python deps, chromium, npm judges) and run the whole suite
test: test-deps chromium node-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -p no:cacheprovider

lint: test-deps
	$(VENV)/bin/ruff check .

## make bench: print the size and speed figures
PAGES ?= 1000,10000
bench: test-deps
	$(PY) bench/run.py --pages $(PAGES)

clean:
	rm -rf $(VENV) $(NODE_DIR) demo_site/site bench/out
