"""`consent-generator` command (placeholder)."""


def main() -> None:
    raise SystemExit("consent-generator: not implemented yet")
