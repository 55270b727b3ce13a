"""The Training lab's runs, one test per feature: the spiral preset trains live, the network
diagram, divergence when the learning rate is raised mid-run, the thermometer raw vs
normalized, overfitting fixed by L2, the fitted curve, step / pause / stop / reset."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import screenshot

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 30_000  # a loaded 2-core machine trains slower than a laptop


def open_train(page: Page, preset: str | None = None) -> None:
    """Open /train (optionally choose a preset) and wait until the data is drawn."""
    page.goto(f"{page.base_url}/train")  # type: ignore[attr-defined]
    page.wait_for_function("window.trainLab && window.trainLab.state.points")
    if preset:
        page.select_option("#presets", preset)
        page.wait_for_function(
            f"window.trainLab.state.preset === {preset!r} && window.trainLab.state.points"
        )


def choose_dataset(page: Page, name: str) -> None:
    """Pick a dataset in the Data panel and wait until the page holds its points."""
    page.get_by_label("dataset").select_option(name)
    page.wait_for_function(
        f"window.trainLab.state.config.dataset === {name!r} && window.trainLab.state.points"
    )


def lab(page: Page, expression: str) -> Any:
    """Evaluate `expression` with `s` bound to the page's state."""
    return page.evaluate(f"() => {{ const s = window.trainLab.state; return {expression}; }}")


def wait_epochs(page: Page, n: int) -> None:
    page.wait_for_function(f"window.trainLab.state.history.length >= {n}", timeout=RUN_TIMEOUT_MS)


def wait_status(page: Page, *statuses: str) -> None:
    page.wait_for_function(
        f"{list(statuses)!r}.includes(window.trainLab.state.status)", timeout=RUN_TIMEOUT_MS
    )


def play(page: Page) -> None:
    page.get_by_role("button", name="▶ Play").click()


def test_spiral_preset_trains_live(page: Page) -> None:
    open_train(page)
    expect(page.locator("#presets")).to_have_value("spiral")
    assert lab(
        page,
        "[s.config.hidden, s.config.activations, s.config.optimizer, s.config.lr, s.config.batch_size, s.config.val_fraction]",
    ) == [[8, 8], ["tanh", "tanh"], "adam", 0.03, 10, 0.2]
    play(page)
    wait_epochs(page, 3)
    page.wait_for_function("document.querySelector('#boundary canvas').dataset.signature")
    first_grid = page.locator("#boundary canvas").get_attribute("data-signature")
    wait_epochs(page, 40)
    losses = lab(page, "s.history.map((h) => h.train_loss)")
    assert sum(losses[-5:]) / 5 < 0.8 * sum(losses[:5]) / 5, losses
    assert all(h is not None for h in lab(page, "s.history.map((h) => h.val_loss)"))
    page.wait_for_function(
        f"document.querySelector('#boundary canvas').dataset.signature !== {first_grid!r}"
    )
    # The heatmap shows both classes' regions (orange for P(class 1) < 0.5, blue above).
    share = float(page.locator("#boundary canvas").get_attribute("data-class-zero-share") or "nan")
    assert 0.15 < share < 0.85, share
    expect(page.locator(".status-line")).to_contain_text("Running")
    expect(page.locator(".status-line")).to_contain_text("validation accuracy")
    expect(page.locator("#accuracy-chart")).to_be_visible()
    expect(page.locator("#loss-chart .u-over")).to_be_visible()
    screenshot(page, "train-spiral-running")
    page.get_by_label("log scale").check()
    expect(page.locator("#loss-chart .plot .uplot")).to_have_count(1)
    page.get_by_role("button", name="❚❚ Pause").click()
    wait_status(page, "paused")
    screenshot(page, "train-spiral-log-scale-paused")


def test_network_diagram_weights_and_gradients(page: Page) -> None:
    open_train(page)
    page.get_by_role("button", name="Step ›").click()
    page.wait_for_function("window.trainLab.state.frame && window.trainLab.state.frame.step === 1")
    layers = page.locator("#network .layer")
    expect(layers).to_have_count(4)
    assert [layers.nth(i).get_attribute("data-units") for i in range(4)] == ["2", "8", "8", "1"]
    assert page.locator("#network .layer.hidden").nth(0).locator("circle").count() == 8
    assert page.locator("#network line.weight").count() == 2 * 8 + 8 * 8 + 8
    expect(page.locator("#network .feature")).to_have_text(["x1", "x2"])
    widths = page.locator("#network line.weight").evaluate_all(
        "ls => ls.map(l => l.getAttribute('stroke-width'))"
    )
    colours = set(
        page.locator("#network line.weight").evaluate_all(
            "ls => ls.map(l => l.getAttribute('stroke'))"
        )
    )
    assert len(set(widths)) > 10 and len(colours) == 2  # thickness = size, colour = sign
    page.get_by_label("show gradients").check()
    grad_widths = page.locator("#network line.weight").evaluate_all(
        "ls => ls.map(l => l.getAttribute('stroke-width'))"
    )
    assert grad_widths != widths
    screenshot(page, "train-network-gradients")


def test_raising_lr_mid_run_diverges_with_a_reason(page: Page) -> None:
    open_train(page)
    play(page)
    wait_epochs(page, 3)
    lr = page.get_by_label("learning rate")
    lr.fill("1000000")
    lr.press("Enter")
    wait_status(page, "diverged")
    status = page.locator(".status-line")
    expect(status).to_contain_text("Diverged")
    expect(status).to_contain_text(re.compile(r"loss (grew|became|rose)"))
    expect(status).to_contain_text("learning rate")
    expect(page.get_by_role("button", name="▶ Resume")).to_be_enabled()
    screenshot(page, "train-diverged-after-lr-raise")


def test_thermometer_raw_diverges_normalized_converges(page: Page) -> None:
    open_train(page, "thermometer_raw")
    expect(page.locator("#curve")).to_be_visible()
    play(page)
    wait_status(page, "diverged")
    expect(page.locator(".status-line")).to_contain_text("too large")
    expect(page.locator("#landscape")).to_be_visible()
    screenshot(page, "train-thermometer_raw-diverged")

    page.select_option("#presets", "thermometer_normalized")
    page.wait_for_function(
        "window.trainLab.state.preset === 'thermometer_normalized' && window.trainLab.state.status === 'none'"
    )
    page.get_by_label("speed").select_option(label="as fast as possible")
    play(page)
    wait_status(page, "finished")
    losses = lab(page, "s.history.map((h) => h.train_loss)")
    # The least-squares fit of t_c on t_u leaves a mean squared error of about 2.93 (°C²).
    assert losses[-1] < 3.0 < losses[0]
    page.wait_for_function(
        "Number(document.querySelector('#landscape canvas').dataset.pathLength) > 50"
    )
    expect(page.locator(".status-line")).to_contain_text("Finished")
    assert page.locator("#curve canvas").get_attribute("data-curve")
    screenshot(page, "train-thermometer_normalized-converged")


def test_overfitting_is_flagged_and_l2_fixes_it(page: Page) -> None:
    open_train(page, "overfitting")
    play(page)
    flag = page.locator(".flag-line")
    expect(flag).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(flag).to_contain_text("overfitting")
    screenshot(page, "train-overfitting-flagged")

    # Choosing another preset stops the run (if it has not finished) and starts afresh.
    page.select_option("#presets", "overfitting_l2")
    page.wait_for_function(
        "window.trainLab.state.preset === 'overfitting_l2' && window.trainLab.state.status === 'none'"
    )
    play(page)
    wait_status(page, "finished")
    assert lab(page, "s.flag") is None
    final = lab(page, "s.history.at(-1)")
    assert final["train_loss"] > 0.05 and final["val_loss"] < 1.0, final
    expect(flag).to_be_hidden()
    screenshot(page, "train-overfitting-fixed-by-l2")


def test_sine_regression_draws_the_fitted_curve(page: Page) -> None:
    open_train(page)
    page.get_by_label("dataset").select_option("sine")
    page.wait_for_function(
        "window.trainLab.state.points && window.trainLab.state.points.input_names[0] === 'x'"
    )
    expect(page.locator("#curve")).to_be_visible()
    expect(page.locator("#boundary")).to_be_hidden()
    play(page)
    wait_epochs(page, 5)
    first = page.locator("#curve canvas").get_attribute("data-curve")
    wait_epochs(page, 30)
    page.wait_for_function(f"document.querySelector('#curve canvas').dataset.curve !== {first!r}")
    expect(page.locator("#accuracy-chart")).to_be_hidden()
    screenshot(page, "train-sine-curve")


def test_step_pause_speed_stop_reset(page: Page) -> None:
    open_train(page)
    step = page.get_by_role("button", name="Step ›")
    step.click()
    page.wait_for_function("window.trainLab.state.frame && window.trainLab.state.frame.step === 1")
    step.click()
    page.wait_for_function("window.trainLab.state.frame.step === 2")
    expect(page.locator(".status-line")).to_contain_text("Paused")
    expect(page.locator(".status-line")).to_contain_text("step 2")
    page.get_by_label("batch size").select_option("32")
    page.wait_for_function("window.trainLab.state.run.state.batch_size === 32")
    page.get_by_label("speed").select_option(label="1 step per frame")
    page.get_by_label("drawing rate").select_option("5")
    page.get_by_role("button", name="▶ Resume").click()
    wait_status(page, "running")
    page.wait_for_timeout(1500)
    steps = lab(page, "s.frame.step")
    assert 3 <= steps <= 12, steps  # 5 frames per second, one step each
    page.get_by_role("button", name="❚❚ Pause").click()
    wait_status(page, "paused")
    page.get_by_role("button", name="■ Stop").click()
    wait_status(page, "stopped")
    screenshot(page, "train-stopped")
    page.get_by_role("button", name="↺ Reset").click()
    wait_status(page, "none")
    assert lab(page, "[s.history.length, s.frame]") == [0, None]
    expect(page.locator(".status-line")).to_contain_text("Ready")


def test_the_page_keeps_one_token_for_its_runs(page: Page) -> None:
    import httpx

    base = page.base_url  # type: ignore[attr-defined]
    open_train(page)
    page.get_by_role("button", name="Step ›").click()  # creates a paused run and steps it
    page.wait_for_function("window.trainLab.state.frame && window.trainLab.state.frame.step === 1")
    first = lab(page, "s.run.id")
    token = page.evaluate("() => localStorage.getItem('gradplay.runToken')")
    assert token and lab(page, "s.run.token") == token
    owner = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{base}/api/v1/runs/{first}/pause").status_code == 403  # no token
    page.reload()  # the page forgets its run, the browser keeps its token
    page.wait_for_function("window.trainLab && window.trainLab.state.points")
    page.get_by_role("button", name="Step ›").click()
    page.wait_for_function("window.trainLab.state.frame && window.trainLab.state.frame.step === 1")
    second = lab(page, "s.run.id")
    assert page.evaluate("() => localStorage.getItem('gradplay.runToken')") == token
    listed = {r["id"] for r in httpx.get(f"{base}/api/v1/runs", headers=owner).json()["runs"]}
    assert {first, second} <= listed  # one identity across the reload
    assert httpx.post(f"{base}/api/v1/runs/{first}/stop", headers=owner).status_code == 200
    page.get_by_role("button", name="■ Stop").click()  # the page steers with the same token
    wait_status(page, "stopped")
