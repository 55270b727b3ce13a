"""Every element id the pages' modules look up exists in the page the server renders.

The ids are found by scanning static/src (getElementById("…"), querySelector("#…") and the
`$("#…")` shorthand), so renaming an id in a template or a module fails this test."""

import re
from pathlib import Path

import httpx
import pytest

SRC = Path(__file__).resolve().parents[2] / "static" / "src"
LOOKUP = re.compile(
    r"""(?:getElementById\(\s*["'`]([\w-]+)|(?:querySelector(?:All)?|\$)\(\s*["'`]#([\w-]+))"""
)
# Ids a module looks up inside what another module builds, not in the template.
BUILT_BY_SCRIPTS: set[str] = set()


def ids_looked_up(page: str) -> set[str]:
    """The ids the modules of one page (static/src/<page> and common/) look up."""
    found: set[str] = set()
    for path in [*(SRC / page).glob("*.js"), *(SRC / "common").glob("*.js")]:
        for match in LOOKUP.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    return found - BUILT_BY_SCRIPTS


@pytest.mark.parametrize("page", ["graph", "train"])
def test_every_looked_up_id_is_in_the_page(api: httpx.Client, page: str) -> None:
    html = api.get(f"/{page}").text
    ids = ids_looked_up(page)
    assert len(ids) >= 5, ids  # the scan finds the lookups at all
    missing = sorted(i for i in ids if not re.search(rf"""id=["']{re.escape(i)}["']""", html))
    assert not missing, f"/{page} lacks {missing}"


def test_the_scan_finds_each_way_of_looking_up() -> None:
    source = """getElementById("a"); $("#b"); el.querySelector('#c .x'); querySelectorAll(`#d`)"""
    assert {m.group(1) or m.group(2) for m in LOOKUP.finditer(source)} == {"a", "b", "c", "d"}
