"""The Training lab's presets and data: each loss of seed 003's table (and a mismatch explained),
the perceptron of seed 002, the autograd graph in the Graph lab, CSV upload, clicked points,
derived features and normalization."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_train_lab import (
    RUN_TIMEOUT_MS,
    choose_dataset,
    lab,
    open_train,
    play,
    wait_epochs,
    wait_status,
)
from tests.conftest import screenshot

pytestmark = pytest.mark.browser

# Seed 003's table: loss → (the output it trains on, the data: binary rows on circle, 3 classes
# on blobs).
EXPECTED = {
    "mse": ("sigmoid", "circle"),
    "bce": ("sigmoid", "circle"),
    "bce_with_logits": ("none", "circle"),
    "nll": ("log_softmax", "blobs"),
    "cross_entropy": ("none", "blobs"),
}


def test_each_loss_of_seed_003_trains_with_its_output(page: Page) -> None:
    open_train(page)
    for loss, (output, dataset) in EXPECTED.items():
        page.select_option("#presets", f"loss_{loss}")
        page.wait_for_function(
            f"window.trainLab.state.preset === 'loss_{loss}' && window.trainLab.state.status === 'none'"
        )
        play(page)
        wait_epochs(page, 4)
        resolved = lab(page, "s.run.state.resolved")
        assert (resolved["loss"], resolved["output"]) == (loss, output)
        losses = lab(page, "s.history.map((h) => h.train_loss)")
        assert all(isinstance(v, float) for v in losses) and losses[-1] < losses[0], (loss, losses)
        assert lab(page, "s.config.dataset") == dataset
        if loss == "nll":
            screenshot(page, "train-loss-table-nll")
        # The next preset stops this run (if it has not finished) and starts afresh.


def test_a_loss_that_does_not_fit_the_output_is_explained(page: Page) -> None:
    page.expected_status.add(422)  # type: ignore[attr-defined]
    open_train(page, "loss_bce")
    page.get_by_label("output activation").select_option("none")
    play(page)
    wait_status(page, "error")
    status = page.locator(".status-line")
    expect(status).to_contain_text("Cannot start")
    expect(status).to_contain_text("bce expects a probability")
    expect(status).to_contain_text("bce_with_logits")
    screenshot(page, "train-loss-mismatch")


def test_perceptron_should_i_go_out_tonight(page: Page) -> None:
    open_train(page, "go_out_perceptron")
    expect(page.locator("#table")).to_be_visible()
    expect(page.locator(".data-table th")).to_have_text(["raining", "work", "friends", "go_out"])
    page.get_by_label("speed").select_option(label="as fast as possible")
    play(page)
    wait_status(page, "finished")
    assert lab(page, "s.history.at(-1).train_accuracy") == 1.0
    layers = page.locator("#network .layer")
    assert [layers.nth(i).get_attribute("data-units") for i in range(layers.count())] == ["3", "1"]
    expect(page.locator("#network .feature")).to_have_text(["raining", "work", "friends"])
    screenshot(page, "train-perceptron-go-out")


def test_open_autograd_graph_shows_the_model_in_the_graph_lab(page: Page) -> None:
    open_train(page)
    page.get_by_role("button", name="Step ›").click()
    page.wait_for_function("window.trainLab.state.frame && window.trainLab.state.frame.step === 1")
    with page.context.expect_page() as popup_info:
        page.get_by_role("button", name="Open autograd graph ↗").click()
    graph = popup_info.value
    graph.wait_for_function("window.gradplay && window.gradplay.graph", timeout=RUN_TIMEOUT_MS)
    source = graph.evaluate("() => window.gradplay.view.source")
    assert "h1 = tanh(z1)" in source and "h2 = tanh(z2)" in source
    assert "loss = " in source
    nodes = graph.evaluate("() => window.gradplay.graph.nodes.map((n) => n.id)")
    assert {"W1", "b1", "W2", "b2", "W3", "b3", "x", "y", "loss"} <= set(nodes)
    loss_value = graph.evaluate(
        "() => window.gradplay.graph.nodes.find((n) => n.id === 'loss').value"
    )
    assert 0 < loss_value < 5
    graph.wait_for_selector("#graph .node")
    screenshot(graph, "train-autograd-graph-in-graph-lab")


def test_csv_upload_good_and_bad(page: Page) -> None:
    page.expected_status.add(422)  # type: ignore[attr-defined]
    open_train(page)
    upload = page.get_by_label("CSV file")
    upload.set_input_files(
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": b"x1,x2,y\n1,2,0\n3,oops,1\n4,5\n",
            }
        ]
    )
    error = page.locator(".csv-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("line 3")
    expect(error).to_contain_text("line 4")
    screenshot(page, "train-csv-error")
    rows = "\n".join(f"{x},{(x * 7) % 10},{int(x > 4)}" for x in range(10))
    upload.set_input_files(
        files=[
            {"name": "good.csv", "mimeType": "text/csv", "buffer": f"a,b,label\n{rows}\n".encode()}
        ]
    )
    expect(error).to_be_hidden()
    page.wait_for_function(
        "window.trainLab.state.config.dataset === 'csv' && window.trainLab.state.points.input_names.join() === 'a,b'"
    )
    expect(page.get_by_label("dataset")).to_have_value("csv")
    play(page)
    wait_epochs(page, 3)
    screenshot(page, "train-csv-uploaded")


def test_click_to_add_points_then_train(page: Page) -> None:
    open_train(page)
    page.get_by_label("dataset").select_option("points")
    expect(page.locator("#add-class")).to_be_visible()
    canvas = page.locator("#boundary canvas")
    box = canvas.bounding_box()
    assert box
    left, top, width = box["x"], box["y"], box["width"]
    clicks = [(0.25, 0.25), (0.3, 0.35), (0.2, 0.4), (0.35, 0.2)]
    for n, (fx, fy) in enumerate(clicks, start=1):
        page.mouse.click(left + width * fx, top + width * fy)
        page.wait_for_function(f"window.trainLab.state.config.data.points.length === {n}")
    page.get_by_label("class 1").check()
    for n, (fx, fy) in enumerate([(0.75, 0.7), (0.7, 0.8), (0.8, 0.65), (0.65, 0.75)], start=5):
        page.mouse.click(left + width * fx, top + width * fy)
        page.wait_for_function(f"window.trainLab.state.config.data.points.length === {n}")
    page.wait_for_function(
        "window.trainLab.state.points.train.x.length + window.trainLab.state.points.val.x.length === 8"
    )
    labels = sorted(p[2] for p in lab(page, "s.config.data.points"))
    assert labels == [0, 0, 0, 0, 1, 1, 1, 1]
    play(page)
    wait_epochs(page, 5)
    page.wait_for_function("document.querySelector('#boundary canvas').dataset.signature")
    screenshot(page, "train-clicked-points")


def test_derived_features_and_normalization_reach_the_model(page: Page) -> None:
    open_train(page)
    choose_dataset(page, "circle")
    page.locator(".features label", has_text="x1²").locator("input").check()
    page.locator(".features label", has_text="x2²").locator("input").check()
    page.get_by_label("Normalize inputs").check()
    page.get_by_label("model kind").select_option("logistic")
    play(page)
    wait_epochs(page, 5)
    assert lab(page, "s.run.state.resolved.features") == [
        "x1",
        "x2",
        {"op": "square", "of": "x1"},
        {"op": "square", "of": "x2"},
    ]  # columns by name, derived features as structured values
    assert lab(page, "s.run.state.config.normalize") is True
    expect(page.locator("#network .feature")).to_have_text(["x1", "x2", "x1²", "x2²"])
    page.wait_for_function(
        "window.trainLab.state.history.at(-1).val_accuracy > 0.9", timeout=RUN_TIMEOUT_MS
    )
    screenshot(page, "train-derived-features")
