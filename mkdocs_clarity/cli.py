"""`mkdocs-clarity` command (placeholder)."""


def main() -> None:
    raise SystemExit("mkdocs-clarity: not implemented yet")
