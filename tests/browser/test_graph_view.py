"""The graph view: the DAG drawn with values, gradients and local derivatives; pan and zoom."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import node_text, open_lab, screenshot, type_program, wait_for_graph

pytestmark = pytest.mark.browser


def test_typed_program_shows_values_and_gradients(page: Page) -> None:
    open_lab(page)
    type_program(page, "z = 2(a − b) + c")
    for name, value in {"a": "3", "b": "1", "c": "0.5"}.items():
        field = page.get_by_label(f"{name} value")
        field.fill(value)
    expect(page.locator('#graph .node[data-id="z"] .num-value')).to_have_text("4.5")
    assert node_text(page, "b", "grad") == "−2"
    assert node_text(page, "a", "grad") == "2"
    assert node_text(page, "c", "grad") == "1"
    # The edge b → (a − b) carries the local derivative −1.
    labels = page.locator("#graph .edge-label text").all_text_contents()
    assert "∂ −1" in labels
    screenshot(page, "graph-view-z")


def test_pan_and_zoom_move_the_view(page: Page) -> None:
    open_lab(page)
    viewport = page.locator("#graph .viewport")
    before = viewport.get_attribute("transform")
    box = page.locator("#graph svg").bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    page.mouse.wheel(0, -400)
    page.wait_for_function(
        "before => document.querySelector('#graph .viewport').getAttribute('transform') !== before",
        arg=before,
    )
    zoomed = viewport.get_attribute("transform")
    assert zoomed != before
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + 90, steps=5)
    page.mouse.up()
    assert viewport.get_attribute("transform") != zoomed
    page.get_by_role("button", name="Fit").click()
    screenshot(page, "graph-view-zoomed")


def test_tensor_nodes_show_shape_and_heatmap(page: Page) -> None:
    open_lab(page)
    page.select_option("#examples", "relu-net")
    wait_for_graph(page)
    expect(page.locator('#graph .node[data-id="w1"] .badge')).to_have_text("3×5")
    assert page.locator('#graph .node[data-id="w1"] .heat-value rect').count() == 15
    assert page.locator('#graph .node[data-id="w1"] .heat-grad rect').count() == 15
    assert node_text(page, "loss", "value") != "?"
    screenshot(page, "graph-view-tensors")
