"""Small helpers for driving the Graph lab page."""

from playwright.sync_api import Page

from tests.conftest import screenshot

__all__ = ["node_text", "open_lab", "screenshot", "type_program", "wait_for_graph"]


def open_lab(page: Page, hash_part: str = "") -> None:
    """Open /graph (optionally with a URL hash) and wait until its first graph is drawn."""
    page.goto(f"{page.base_url}/graph{hash_part}")  # type: ignore[attr-defined]
    wait_for_graph(page)


def wait_for_graph(page: Page) -> None:
    """Wait until the graph view shows a graph with numbers."""
    page.wait_for_function(
        "window.gradplay && window.gradplay.graph && window.gradplay.lastDrawMs !== null"
    )
    page.wait_for_selector("#graph .node")


def type_program(page: Page, source: str) -> None:
    """Replace the program text as a user would, then wait for the answer to be drawn."""
    area = page.locator("#editor textarea")
    area.fill("")
    area.type(source, delay=5)


def node_text(page: Page, node_id: str, part: str) -> str:
    """The text shown in a node: part is "value", "grad" or "title"."""
    selector = f'#graph .node[data-id="{node_id}"] .{"title" if part == "title" else "num-" + part}'
    return page.locator(selector).text_content() or ""
