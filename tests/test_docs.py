"""The repository stands alone: every relative link in a tracked Markdown file
resolves to a file inside it, no document points outside it, and the Makefile
declares as .PHONY only targets it defines."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
CLIMBING = re.compile(r"(?<![\w/.])((?:\.\./)+[\w./-]+)")
CODE_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def tracked(pattern: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", pattern], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in out.split("\0") if name]


def links(text: str) -> list[str]:
    return LINK.findall(text) + REFERENCE.findall(text)


def broken_links(md: Path, text: str) -> list[str]:
    """Relative links of ``md`` that leave the repository or name no file."""
    problems = []
    for target in links(CODE_BLOCK.sub("", text)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # a URL (http:, mailto:) or an anchor in the same page
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (ROOT / path.lstrip("/")) if path.startswith("/") else (md.parent / path)
        resolved = resolved.resolve()
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target} (outside the repository)")
        elif not resolved.exists():
            problems.append(f"{target} (no such file)")
    for target in CLIMBING.findall(text):  # also in prose and code spans: ../shared/API.md
        resolved = (md.parent / target.rstrip(".")).resolve()
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target} (outside the repository)")
        elif not resolved.exists():
            problems.append(f"{target} (no such file)")
    return problems


MARKDOWN = tracked("*.md")


def test_there_are_documents_to_check():
    names = {p.relative_to(ROOT).as_posix() for p in MARKDOWN}
    assert {"README.md", "docs/API.md"} <= names


@pytest.mark.parametrize("md", MARKDOWN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(md):
    assert broken_links(md, md.read_text(encoding="utf-8")) == []


def test_the_link_check_catches_links_out_of_the_repository_and_to_missing_files():
    md = ROOT / "README.md"
    text = (
        "See [the contract](../shared/API.md), [design](DESIGN.md), "
        "`../shared/CONVENTIONS.md`, [ok](docs/API.md#status-codes), "
        "[web](https://example.com/x.md) and [here](#using-it).\n"
        "```\n[not a link](in-a-code-block.md)\n```\n"
    )
    nested = ROOT / "clients" / "README.md"
    assert broken_links(nested, "see ../shared/API.md and [up](../README.md)") == [
        "../shared/API.md (no such file)"
    ]
    assert broken_links(md, text) == [
        "../shared/API.md (outside the repository)",
        "DESIGN.md (no such file)",
        "../shared/API.md (outside the repository)",
        "../shared/CONVENTIONS.md (outside the repository)",
    ]


def test_readme_points_to_the_api_description_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/API.md" in links(readme)
    assert "/api/schema/" in (ROOT / "docs" / "API.md").read_text(encoding="utf-8")


def phony_targets_without_rule(makefile: str) -> set[str]:
    phony: set[str] = set()
    for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.MULTILINE):
        phony.update(line.split())
    defined = set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", makefile, re.MULTILINE))
    return phony - defined


def test_makefile_declares_only_targets_it_defines():
    assert phony_targets_without_rule((ROOT / "Makefile").read_text()) == set()
    assert phony_targets_without_rule(".PHONY: a b\na:\n\techo\n") == {"b"}
