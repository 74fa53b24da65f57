"""The one home of the package version.

setuptools reads ``__version__`` from here without importing anything (``pyproject.toml``:
``[tool.setuptools.dynamic]``), and both packages re-export it, so a release bumps one line.
"""

__version__ = "0.1.0"
