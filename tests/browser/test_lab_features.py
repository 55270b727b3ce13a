"""The Graph lab's features, one test each: editor errors, inputs, animations, chain rule,
nudge, gradient descent, examples and the shareable URL."""

import json
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import node_text, open_lab, screenshot, type_program, wait_for_graph

pytestmark = pytest.mark.browser

Z_VIEW = {"s": "z = 2(a − b) + c", "v": {"a": 3, "b": 1, "c": 0.5}}
Z_HASH = "#" + quote(json.dumps(Z_VIEW, ensure_ascii=False), safe="")


def test_syntax_error_is_underlined_with_its_message(page: Page) -> None:
    page.expected_status.add(422)  # type: ignore[attr-defined]
    open_lab(page)
    type_program(page, "z = 2(a − b + c")
    message = page.locator("#editor .editor-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Line 1")
    expect(message).to_contain_text("parenthesis")
    underline = page.locator("#editor .editor-mirror .err")
    expect(underline).to_have_count(1)
    assert underline.text_content()
    expect(page.locator("#graph")).to_have_class(re.compile("stale"))
    screenshot(page, "editor-syntax-error")
    # Fixing the program clears the error and redraws.
    page.locator("#editor textarea").press("End")
    page.locator("#editor textarea").type(")")
    expect(message).to_be_hidden()
    expect(page.locator("#graph")).not_to_have_class(re.compile("stale"))


def test_slider_and_field_update_everything(page: Page) -> None:
    open_lab(page, Z_HASH)
    page.get_by_label("a value").fill("5")
    expect(page.locator('#graph .node[data-id="z"] .num-value')).to_have_text("8.5")
    slider = page.get_by_label("c slider")
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    expect(page.locator('#graph .node[data-id="z"] .num-value')).not_to_have_text("8.5")
    value_c = float(page.get_by_label("c value").input_value())
    assert value_c > 0.5
    expect(page.locator('#graph .node[data-id="z"] .num-value')).to_have_text(f"{8 + value_c:.4g}")
    screenshot(page, "inputs-slider")


def test_tensor_input_editor(page: Page) -> None:
    open_lab(page)
    type_program(page, "s = sum(x * w)")
    wait_for_graph(page)
    page.get_by_label("x value").fill("2")
    expect(page.locator('#graph .node[data-id="s"] .num-value')).to_have_text("2")
    page.evaluate(
        """() => {
            const v = window.gradplay.view;
            v.values.x = [1, 2, 3];
            v.values.w = [[1, 0, 2]];
            window.gradplay.load({...v});
        }"""
    )
    expect(page.locator("#inputs .input-row.tensor textarea")).to_have_count(2)
    area = page.locator('#inputs .input-row[data-input="w"] textarea')
    area.fill("[[2, 2, 2]]")
    expect(page.locator('#graph .node[data-id="s"] .num-value')).to_have_text("12")
    area.fill("[[2, 2,")
    expect(area).to_have_class(re.compile("invalid"))
    screenshot(page, "inputs-tensor")


def test_forward_and_backward_animation(page: Page) -> None:
    open_lab(page, Z_HASH)
    page.get_by_role("button", name="▶ Forward").click()
    page.get_by_role("button", name="❚❚ Pause").click()
    caption = page.locator(".anim-caption")
    expect(caption).to_contain_text("forward")
    expect(page.locator('#graph .node[data-id="z"] .num-value')).to_have_text("?")
    for _ in range(3):
        page.get_by_role("button", name="Step ›").click()
    screenshot(page, "animation-forward")
    page.get_by_role("button", name="◀ Backward").click()
    page.get_by_role("button", name="❚❚ Pause").click()
    expect(caption).to_contain_text("seed")
    # Step until the edge b → (a − b) is active: its note is local × upstream = contribution.
    for _ in range(10):
        if "(−1) × 2 = −2" in (caption.text_content() or ""):
            break
        page.get_by_role("button", name="Step ›").click()
    expect(caption).to_contain_text("(−1) × 2 = −2")
    expect(page.locator("#graph .edge-label.active text")).to_have_text("(−1) × 2 = −2")
    expect(page.locator("#graph .edge.active")).to_have_count(1)
    screenshot(page, "animation-backward")
    page.get_by_role("button", name="Show all").click()
    expect(page.locator('#graph .node[data-id="b"] .num-grad')).to_have_text("−2")


def test_fan_in_sums_contributions(page: Page) -> None:
    open_lab(page)
    type_program(page, "y = x * x")
    wait_for_graph(page)
    page.get_by_label("x value").fill("3")
    expect(page.locator('#graph .node[data-id="x"] .num-grad')).to_have_text("6")
    expect(page.locator("#graph .edge")).to_have_count(2)
    page.get_by_role("button", name="◀ Backward").click()
    page.get_by_role("button", name="❚❚ Pause").click()
    page.get_by_role("button", name="Step ›").click()
    expect(page.locator('#graph .node[data-id="x"] .num-grad')).to_have_text("Σ 3")
    page.get_by_role("button", name="Step ›").click()
    expect(page.locator(".anim-caption")).to_contain_text("fan-in: ∂y/∂x = 3 + 3 = 6")
    screenshot(page, "animation-fan-in")


def test_click_node_writes_chain_rule_and_highlights_source(page: Page) -> None:
    open_lab(page, Z_HASH)
    page.locator('#graph .node[data-id="b"]').click()
    formula = page.locator("#chain .chain-formula")
    expect(formula).to_contain_text("∂z/∂b = ∂z/∂(a − b) · ∂(a − b)/∂b = 2 · (−1) = −2")
    highlight = page.locator("#editor .editor-mirror .hl")
    expect(highlight).to_have_text("b")
    page.locator('#graph .node[data-id="_1"]').click()
    expect(highlight).to_have_text("a − b")
    expect(page.locator('#graph .node[data-id="_1"]')).to_have_class(re.compile("selected"))
    screenshot(page, "chain-rule")


def test_nudge_matches_the_gradient(page: Page) -> None:
    open_lab(page, Z_HASH)
    page.get_by_label("input to nudge").select_option("b")
    page.get_by_label("epsilon").fill("0.001")
    page.get_by_role("button", name="Nudge").click()
    story = page.locator(".nudge-story")
    expect(story).to_contain_text("If b increases by 0.001, z decreases by 0.002")
    actual = page.locator(".nudge-table .actual").text_content() or ""
    predicted = page.locator(".nudge-table .predicted").text_content() or ""
    assert float(actual.replace("−", "-")) == pytest.approx(-0.002, abs=2e-5)
    assert float(predicted.replace("−", "-")) == pytest.approx(-0.002, abs=1e-6)
    screenshot(page, "nudge")


def test_gradient_descent_lowers_the_objective(page: Page) -> None:
    open_lab(page)
    page.select_option("#examples", "thermometer")
    wait_for_graph(page)
    expect(page.locator('#graph .node[data-id="w"] .num-value')).to_have_text("1")
    loss_before = float((node_text(page, "loss", "value")).replace("−", "-"))
    page.get_by_label("steps", exact=True).fill("3000")
    page.get_by_role("button", name="Run").click()
    status = page.locator(".descent-status")
    expect(status).to_contain_text("Finished", timeout=20_000)
    expect(page.locator(".descent-chart canvas")).to_have_count(1)
    text = status.text_content() or ""
    first, last = re.findall(r"objective (\S+) → (\S+)", text)[0]
    assert float(last.replace("−", "-")) < float(first.replace("−", "-")) / 10
    # The values on the graph moved to the optimum the run reached.
    expect(page.locator('#graph .node[data-id="w"] .num-value')).not_to_have_text("1")
    loss_after = float((node_text(page, "loss", "value")).replace("−", "-"))
    assert loss_after < loss_before / 10
    screenshot(page, "gradient-descent")


@pytest.mark.parametrize(
    ("example", "output", "node"),
    [
        ("chain", "z", "b"),
        ("chain-named", "z", "d"),
        ("linear-mse", "loss", "w1"),
        ("thermometer", "loss", "w"),
        ("sigmoid-neuron", "loss", "p"),
        ("relu-net", "loss", "h"),
    ],
)
def test_examples_menu(page: Page, example: str, output: str, node: str) -> None:
    open_lab(page)
    page.select_option("#examples", example)
    wait_for_graph(page)
    expect(page.locator(f'#graph .node[data-id="{node}"]')).to_have_count(1)
    expect(page.locator("#output")).to_have_value(output)
    assert node_text(page, output, "value") not in ("?", "NaN")
    screenshot(page, f"example-{example}")


def test_url_reproduces_the_view(page: Page, browser: object, server_url: str) -> None:
    open_lab(page)
    type_program(page, "d = a - b\nz = 2*d + c\nw = z * d")
    wait_for_graph(page)
    page.get_by_label("b value").fill("-2")
    page.select_option("#output", "z")
    page.select_option("#dtype", "float64")
    expect(page.locator('#graph .node[data-id="b"] .num-grad')).to_have_text("−2")
    page.locator('#graph .node[data-id="d"]').click()
    expect(page.locator("#chain .chain-formula")).to_contain_text("∂z/∂d")
    url = page.url
    assert "#" in url
    other = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    other.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    other.goto(url)
    wait_for_graph(other)
    expect(other.locator("#editor textarea")).to_have_value("d = a - b\nz = 2*d + c\nw = z * d")
    expect(other.get_by_label("b value")).to_have_value("-2")
    expect(other.locator("#output")).to_have_value("z")
    expect(other.locator("#dtype")).to_have_value("float64")
    expect(other.locator('#graph .node[data-id="d"]')).to_have_class(re.compile("selected"))
    expect(other.locator("#chain .chain-formula")).to_contain_text("∂z/∂d")
    assert node_text(other, "z", "value") == node_text(page, "z", "value")
    screenshot(other, "url-round-trip")
    other.context.close()
    assert not errors


def test_present_mode_folds_the_panels_and_enlarges_the_graph(page: Page) -> None:
    open_lab(page, "#" + quote(json.dumps(SIGMOID_VIEW, ensure_ascii=False), safe=""))

    def node_width() -> float:
        box = page.locator('#graph .node[data-id="y"]').bounding_box()
        assert box is not None
        return float(box["width"])

    before = node_width()
    page.get_by_role("button", name="Present").click()
    expect(page.locator(".col-left")).to_be_hidden()
    expect(page.locator(".col-right")).to_be_hidden()
    page.wait_for_function(  # the fit animates: wait until the node has grown
        "w => document.querySelector('#graph .node[data-id=\"y\"]').getBoundingClientRect().width"
        " > w * 1.2",
        arg=before,
    )
    assert node_width() > before * 1.2
    screenshot(page, "present-mode")
    page.keyboard.press("Escape")
    expect(page.locator(".col-left")).to_be_visible()


SIGMOID_VIEW = {
    "s": "z = w1*x1 + w2*x2 + b\ny = sigmoid(z)",
    "v": {"w1": 0.5, "x1": 2, "w2": -1, "x2": 1, "b": 0.1},
}


def test_markup_in_a_shared_link_stays_text(page: Page) -> None:
    # A link anyone can craft: markup in the program's comment and in a value's name position.
    hostile = "<img src=x onerror=alert(1)>"
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    view = {"s": f"z = 2*a  # {hostile}", "v": {"a": 1, hostile: 2}}
    open_lab(page, "#" + quote(json.dumps(view), safe=""))
    wait_for_graph(page)
    expect(page.locator(".editor-box")).to_contain_text(hostile)
    assert page.locator("img").count() == 0  # nothing was parsed as an element
    assert dialogs == []
