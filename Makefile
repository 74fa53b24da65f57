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

.PHONY: demo test lint bench bench-full venv deps test-deps chromium node-deps web-servers clean docs docs-build \
        reference screenshots typecheck wheel-smoke test-lowest

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

# clarity-js / clarity-decode: Microsoft's Clarity client and decoder, the judges of
# tests/browser/test_clarity_judge.py; pinned exactly (the decoder must match the client).
CLARITY_JS := 0.8.70

node-deps:
	@if [ ! -d "$(NODE_DIR)/node_modules/csp_evaluator" ] || [ ! -d "$(NODE_DIR)/node_modules/axe-core" ] \
	  || ! grep -qs '"version": "$(CLARITY_JS)"' $(NODE_DIR)/node_modules/clarity-js/package.json \
	  || [ ! -d "$(NODE_DIR)/node_modules/clarity-decode" ] \
	  || [ ! -d "$(NODE_DIR)/node_modules/mermaid" ]; then \
	  mkdir -p $(NODE_DIR) && cd $(NODE_DIR) && npm install --no-audit --no-fund --silent \
	    --prefix . csp_evaluator@1 axe-core@4 clarity-js@$(CLARITY_JS) \
	    clarity-decode@$(CLARITY_JS) mermaid@11 >/dev/null; \
	fi
	@# MDN HTTP Observatory, the grader of the security headers. Its install scripts download
	@# CA bundles and Chromium's HSTS preload list from the web: skipped (--ignore-scripts). The
	@# tests scan only localhost, which no preload list holds, so an empty list is the true one.
	@if [ ! -d "$(NODE_DIR)/node_modules/@mdn/mdn-http-observatory" ]; then \
	  mkdir -p $(NODE_DIR) && cd $(NODE_DIR) && npm install --no-audit --no-fund --silent \
	    --ignore-scripts --prefix . @mdn/mdn-http-observatory@1 >/dev/null; \
	fi
	@test -f "$(NODE_DIR)/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json" || \
	  echo '{}' > "$(NODE_DIR)/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json"

## web-servers: Debian's nginx, apache2 and caddy, whose own config checks judge the snippets
web-servers:
	@if [ ! -x /usr/sbin/nginx ] || [ ! -x /usr/sbin/apache2 ] || [ ! -x /usr/bin/caddy ]; then \
	  echo "Installing Debian's nginx, apache2 and caddy (needs root; services not started)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends nginx apache2 caddy; \
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
	@echo "Check it: $(VENV)/bin/mkdocs-clarity audit demo_site/site --policy demo_site/consent.yml"
	@echo "Prove it in a real browser (needs: $(PIP) install -e '.[verify]'):"
	@echo "  $(VENV)/bin/mkdocs-clarity verify demo_site/site --policy demo_site/consent.yml"
	@echo "Serving demo_site/site on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) -m http.server --bind $(HOST) --directory demo_site/site $(PORT)

## make test: install everything (Python deps, chromium, npm judges) and run the whole suite
test: test-deps chromium node-deps web-servers
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	bash tests/wheel_smoke.sh $(PY)
	$(PY) -m pytest -q -p no:cacheprovider

## make docs: build the documentation site (the plugin on itself) and serve it on :8001
DOCS_PORT ?= 8001
docs: deps
	$(PY) scripts/gen_reference.py
	SITE_URL=http://$(HOST):$(DOCS_PORT)/ $(VENV)/bin/mkdocs build --strict
	@echo "Serving the docs on http://$(HOST):$(DOCS_PORT)/ (Ctrl-C to stop)"
	$(PY) -m http.server --bind $(HOST) --directory site $(DOCS_PORT)

docs-build: deps
	$(VENV)/bin/mkdocs build --strict

## make reference: regenerate docs/reference/*.md from the code (a test fails when they drift)
reference: deps
	$(PY) scripts/gen_reference.py

## make screenshots: banner and dialog (light, dark, phone) in Chromium -> docs/assets/screenshots
screenshots: test-deps chromium
	$(PY) scripts/screenshots.py

## make typecheck: mypy --strict over both packages (config: [tool.mypy] in pyproject.toml)
typecheck: test-deps
	$(VENV)/bin/mypy

## make wheel-smoke: build sdist+wheel, twine check, install the wheel in a fresh venv, use it
wheel-smoke: test-deps
	bash tests/wheel_smoke.sh $(PY)

## make test-lowest: unit and build tests with the lowest dependency versions pyproject allows
# Our runtime dependencies are pinned to their lower bounds (tests/lowest_constraints.py); the
# test tools resolve around them. Browser tests are not part of this job (they test the runtime
# in Chromium, not the Python dependencies), nor is the Zensical fixture: zensical needs
# click>=8.1.8, it is a fixture builder, not our dependency. PYTHON=python3.11 runs it on the
# oldest Python requires-python allows.
LOWEST_VENV  := .venv-lowest
LOWEST_TOOLS := pytest hypothesis playwright cryptography mkdocs-material mkdocs-redirects mkdocs-static-i18n
test-lowest:
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(PYTHON) tests/lowest_constraints.py > $(LOWEST_VENV)/constraints.txt
	$(LOWEST_VENV)/bin/python -m pip install -q -c $(LOWEST_VENV)/constraints.txt -e . $(LOWEST_TOOLS)
	@echo "lowest versions installed:"
	@$(LOWEST_VENV)/bin/python -m pip freeze --exclude-editable | \
	  grep -iE "^($$(sed 's/==.*//' $(LOWEST_VENV)/constraints.txt | paste -sd'|'))==" | sed 's/^/  /'
	$(LOWEST_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/unit tests/build \
	  -m "not browser" -k "not zensical"

lint: test-deps
	$(VENV)/bin/ruff check .

## make bench: print the size and speed figures (quick subset: 20/150 pages, 1/10 MB pages)
## make bench-full: also 1,000 and 10,000 pages and a 50 MB page (~15 min on 2 cores)
PAGES ?= 20,150
MB    ?= 1,10
bench: test-deps
	$(PY) bench/run.py --pages $(PAGES) --mb $(MB)

bench-full: test-deps
	$(PY) bench/run.py --pages 20,150,1000,10000 --mb 1,10,50

clean:
	rm -rf $(VENV) $(LOWEST_VENV) $(NODE_DIR) demo_site/site bench/out site
