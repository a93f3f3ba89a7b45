"""README and the other Markdown pages: every relative link resolves, and README's layout block matches the tree (issue 18)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.markdown_links import anchors, broken_links, links

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
# README, docs/ (with docs/benchmarks/) and the folders' own notes (training/README.md, samples/LICENCES.md)
MARKDOWN = [README, *sorted((REPO / "docs").rglob("*.md")),
            *sorted(p for p in REPO.glob("*/*.md") if not p.parent.name.startswith(".") and p.parent.name != "docs")]


@pytest.mark.parametrize("markdown", MARKDOWN, ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_resolves(markdown: Path) -> None:
    assert broken_links(markdown) == []


def test_the_link_checker_sees_broken_links(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# A `code` heading, with punctuation!\n## Twice\n## Twice\n")
    page = tmp_path / "page.md"
    page.write_text("[ok](there.md#a-code-heading-with-punctuation) [ok](there.md#twice-1) [web](https://x.org/a)\n"
                    "[gone](missing.md) [bad anchor](there.md#nowhere) ![img](no.png)\n```\n[in code](skipped.md)\n```\n")
    assert links(page.read_text()) == ["there.md#a-code-heading-with-punctuation", "there.md#twice-1", "https://x.org/a",
                                       "missing.md", "there.md#nowhere", "no.png"]
    assert [line.split(":")[0] for line in broken_links(page)] == ["missing.md", "there.md#nowhere", "no.png"]
    assert anchors((tmp_path / "there.md").read_text()) == {"a-code-heading-with-punctuation", "twice", "twice-1"}


def layout_block() -> set[str]:
    """The folders README's first code block names (``name/`` at the start of a line)."""
    block = re.search(r"^```\n(.*?)^```", README.read_text(), re.MULTILINE | re.DOTALL)
    assert block, "README has no code block"
    return set(re.findall(r"^([\w.-]+)/\s", block.group(1), re.MULTILINE))


def tracked_top_level_folders() -> set[str]:
    """The repository's top-level folders that git tracks, hidden ones (.ci) left out."""
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked folders are unknown")
    return {line.split("/")[0] for line in listed.splitlines() if "/" in line and not line.startswith(".")}


def test_readme_layout_block_lists_exactly_the_top_level_folders() -> None:
    folders = tracked_top_level_folders()
    named = layout_block()
    assert {"missing from README": sorted(folders - named), "not in the tree": sorted(named - folders)} == \
        {"missing from README": [], "not in the tree": []}
