"""Every relative link in README.md and docs/*.md works in a clone of this repository alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(markdown: str) -> str:
    """Drop code blocks and code spans: what they contain is not a link."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"`|\*\*?|__?", "", heading.strip()).lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a document's headings give (repeated headings get -1, -2...)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    return [target for target in LINK.findall(prose(path.read_text(encoding="utf-8")))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)]


def broken(path: Path, target: str) -> str | None:
    """Say what is wrong with a relative link of a document, or None when it works."""
    file_part, _, anchor = target.partition("#")
    destination = (path.parent / file_part).resolve() if file_part else path
    if not destination.is_relative_to(ROOT):
        return f"{target}: outside the repository"
    if not destination.exists():
        return f"{target}: no such file in the repository"
    if anchor and destination.suffix == ".md" and anchor not in anchors(destination):
        return f"{target}: no heading #{anchor} in {destination.relative_to(ROOT)}"
    return None


def test_the_slug_of_a_heading_is_githubs() -> None:
    assert slug("The history proves itself") == "the-history-proves-itself"
    assert slug("Dependencies and why") == "dependencies-and-why"
    assert slug("Health, and outages (`/readyz`)") == "health-and-outages-readyz"


def test_a_link_out_of_the_clone_or_to_a_missing_heading_is_caught(tmp_path: Path) -> None:
    readme = ROOT / "README.md"
    assert broken(readme, "../shared/DOMAIN.md") == "../shared/DOMAIN.md: outside the repository"
    assert broken(readme, "docs/nothing.md") == "docs/nothing.md: no such file in the repository"
    assert broken(readme, "#no-such-heading") is not None
    assert broken(readme, "docs/rules.md#source") is None


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_in_the_repository(document: Path) -> None:
    problems = [p for t in relative_links(document) if (p := broken(document, t))]
    assert problems == []


def test_the_readme_links_the_rules_of_the_program() -> None:
    assert "docs/rules.md" in relative_links(ROOT / "README.md")
