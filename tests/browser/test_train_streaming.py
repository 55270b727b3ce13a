"""The Training lab under a live stream: three classes train through the page, and the page
never freezes while a run streams at full speed."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_train_lab import choose_dataset, lab, open_train, play, wait_epochs
from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_three_classes_train_with_softmax_and_cross_entropy(page: Page) -> None:
    open_train(page)
    choose_dataset(page, "blobs")
    page.get_by_label("loss").select_option("cross_entropy")
    play(page)
    wait_epochs(page, 10)
    resolved = lab(page, "s.run.state.resolved")
    assert resolved["loss"] == "cross_entropy"
    # The boundary shows one region per class: three distinct classes in the grid.
    page.wait_for_function(
        "window.trainLab.state.frame && window.trainLab.state.frame.grid"
        " && new Set(window.trainLab.state.frame.grid.values.flat()).size >= 3"
    )
    accuracy = lab(page, "s.history.at(-1).val_accuracy")
    assert accuracy > 0.8
    screenshot(page, "train-blobs-three-classes")


def test_the_page_never_freezes_while_a_run_streams(page: Page) -> None:
    open_train(page)
    page.evaluate(
        """() => {
            window.longTasks = [];
            new PerformanceObserver((list) => {
                for (const e of list.getEntries()) window.longTasks.push(e.duration);
            }).observe({ type: "longtask", buffered: false });
        }"""
    )
    page.get_by_label("speed").select_option(label="as fast as possible")
    play(page)
    wait_epochs(page, 5)
    # While it streams, a click gets an answer at once (the main thread is free).
    delays = []
    for _ in range(10):
        delays.append(
            page.evaluate(
                "() => new Promise((done) => { const t = performance.now();"
                " requestAnimationFrame(() => done(performance.now() - t)); })"
            )
        )
        page.wait_for_timeout(200)
    long_tasks = page.evaluate("() => window.longTasks")
    expect(page.locator(".status-line")).to_contain_text("Running")
    assert max(delays) < 250, delays
    assert not [d for d in long_tasks if d > 250], long_tasks
