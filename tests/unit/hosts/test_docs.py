"""docs/security-headers.md says what the code does: its consent.yml examples load (or fail
exactly as shown), and its host table names every registered host."""

from __future__ import annotations

import re
from pathlib import Path

from consent_generator.policy import PolicyError, parse_policy
from mkdocs_clarity import hosts

DOC = Path(__file__).parents[3] / "docs" / "security-headers.md"
TEXT = DOC.read_text("utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", TEXT, re.S)


def test_yaml_examples_load_except_the_shown_error():
    examples = [body for lang, body in BLOCKS if lang == "yaml"]
    assert len(examples) >= 4
    errors = []
    for body in examples:
        try:
            parse_policy(body)
        except PolicyError as exc:
            errors.append(str(exc))
    shown = [body.strip() for lang, body in BLOCKS if lang == "" and "consent.yml:" in body]
    assert errors == shown


def test_the_defaults_example_is_the_default():
    (first, *_) = [body for lang, body in BLOCKS if lang == "yaml"]
    assert parse_policy(first).headers == parse_policy("").headers


def test_every_host_is_in_the_table_with_its_file_and_docs():
    for host in hosts.hosts().values():
        row = next((line for line in TEXT.splitlines()
                    if line.startswith(f"| `{host.delivery}` |")), None)
        assert row is not None, host.delivery
        assert f"`{host.file}`" in row and host.docs in row, row


def test_skeleton_headers_section_uncommented_is_the_defaults():
    from consent_generator.skeleton import InitAnswers, render_skeleton

    text = render_skeleton(InitAnswers())
    start = text.index("# headers:")
    lines = []
    for line in text[start:].splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[2:])
    uncommented = text[:start] + "\n".join(lines) + "\n" + text[start:].split("\n", len(lines))[-1]
    uncommented = uncommented.replace("delivery: [meta]", "delivery: [meta, netlify]")
    policy = parse_policy(uncommented)
    assert policy.headers == parse_policy("").headers
    assert not policy.warnings
