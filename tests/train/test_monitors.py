"""Each monitor alone: tables of loss sequences and where it must fire, or stay silent."""

import math

import pytest

from app.train.monitors import DivergenceMonitor, EpochStop, OverfittingMonitor, StepCap
from app.train.records import StepRecord

NAN, INF = math.nan, math.inf
SETTLED = [1.0] + [0.0] * 60  # from 1 down to 0: the smoothed loss decays to almost nothing


def first_firing(monitor: DivergenceMonitor, losses: list[float]) -> tuple[int | None, str]:
    """The 0-based index of the first loss that trips the monitor, and its reason."""
    for i, loss in enumerate(losses):
        reason = monitor.observe(StepRecord(epoch=1, step=i + 1, loss=loss, lr=0.5))
        if reason:
            return i, reason
    return None, ""


# (losses, factor, explode_factor, index of the first firing or None, words of the reason)
DIVERGENCE = [
    ([10.0, 9.0, 8.0, 7.0], 1e4, 10.0, None, ""),
    ([1.0, 0.9, NAN], 1e4, 10.0, 2, "the loss became nan at step 3"),
    ([INF], 1e4, 10.0, 0, "the loss became inf at step 1"),
    ([1.0, -INF], 1e4, 10.0, 1, "became -inf"),
    ([1.0, 2.0, 20_000.0], 1e4, 1e30, 2, "grew from 1 to 2e+04 by step 3"),
    ([1.0, 10_000.0], 1e4, 1e30, None, ""),  # exactly the factor is not over it
    ([1.0, 10_000.5], 1e4, 1e30, 1, "(over 10000×)"),
    ([1e9], 1e4, 10.0, None, ""),  # the first loss is the yardstick, never over itself
    ([0.0, 1.0], 1e4, 1e30, 1, "grew from 0 to 1"),  # a zero start measures from 1e-12
    ([*SETTLED, 20.0], 1e30, 10.0, 61, "(smoothed), over 10× the best"),  # 0.1 × 20 > the start, 1
    ([*SETTLED, 9.0], 1e30, 10.0, None, ""),  # far above its best, but below the start
    ([*SETTLED, 20.0], 1e30, 1e30, None, ""),  # the same rise, a tolerant explode factor
    ([5.0, 4.0, 6.0, 5.0, 7.0], 1e4, 10.0, None, ""),  # noise, not a sustained rise
]


@pytest.mark.parametrize(("losses", "factor", "explode", "index", "words"), DIVERGENCE)
def test_divergence(
    losses: list[float], factor: float, explode: float, index: int | None, words: str
) -> None:
    found, reason = first_firing(DivergenceMonitor(factor=factor, explode_factor=explode), losses)
    assert found == index
    assert words in reason
    if index is not None:
        assert "learning rate 0.5" in reason


def test_divergence_reset_measures_from_the_next_loss() -> None:
    monitor = DivergenceMonitor(factor=10.0, explode_factor=1e30)
    assert first_firing(monitor, [1.0, 5.0]) == (None, "")
    monitor.reset()
    assert monitor.first_loss is None
    # 50 is 50× the old start, but only the yardstick after the reset.
    assert first_firing(monitor, [50.0, 60.0]) == (None, "")
    assert monitor.first_loss == 50.0
    unreset = DivergenceMonitor(factor=10.0, explode_factor=1e30)
    assert first_firing(unreset, [1.0, 5.0, 50.0])[0] == 2


def epochs(train: list[float], val: list[float | None]) -> list[dict[str, float | None]]:
    return [
        {"epoch": i + 1, "train_loss": t, "val_loss": v}
        for i, (t, v) in enumerate(zip(train, val, strict=True))
    ]


FALLING = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]
# (train losses, val losses, patience, indices where it fires)
OVERFITTING = [
    (FALLING, [1.0, 0.9, 0.8, 0.7, 0.6, 0.5], 3, []),  # both fall: fine
    (FALLING, [1.0, 0.5, 0.6, 0.7, 0.8, 0.9], 3, [4]),  # 3 epochs over the best: once
    (FALLING, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 3, [3]),  # equal to the best is no improvement
    (FALLING, [0.5, 0.6, 0.7, 0.4, 0.5, 0.6], 3, []),  # a new best restarts the count
    ([1.0, 0.9, 1.0, 1.1, 1.2, 1.3], [1.0, 0.5, 0.6, 0.7, 0.8, 0.9], 3, []),  # train rises too
    (FALLING, [None] * 6, 1, []),  # no validation rows
    (FALLING, [1.0, NAN, NAN, NAN, NAN, NAN], 2, []),  # a blown-up val loss is not overfitting
    (FALLING, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 1, [1]),
]


@pytest.mark.parametrize(("train", "val", "patience", "fires"), OVERFITTING)
def test_overfitting(
    train: list[float], val: list[float | None], patience: int, fires: list[int]
) -> None:
    monitor = OverfittingMonitor(patience=patience)
    reasons = [monitor.observe(entry) for entry in epochs(train, val)]
    assert [i for i, r in enumerate(reasons) if r] == fires
    for i in fires:
        assert "overfitting: validation loss has not improved on" in str(reasons[i])
        assert f"(epoch {i + 1})" in str(reasons[i])


# (target loss, max epochs, epoch, train loss, words of the reason or None)
EPOCH_STOP = [
    (None, 100, 5, 0.1, None),
    (None, 100, 100, 0.1, "completed 100 epochs"),
    (None, 100, 101, 0.1, "completed 100 epochs"),
    (10.0, 100, 5, 10.5, None),
    (10.0, 100, 5, 10.0, "train loss 10 reached the target 10"),
    (10.0, 100, 5, 2.5, "train loss 2.5 reached the target 10"),
    (10.0, 5, 5, 2.5, "reached the target"),  # the target is the better news
    (0.0, 100, 5, 1e-9, None),
]


@pytest.mark.parametrize(("target", "max_epochs", "epoch", "train", "words"), EPOCH_STOP)
def test_epoch_stop(
    target: float | None, max_epochs: int, epoch: int, train: float, words: str | None
) -> None:
    reason = EpochStop(target_loss=target, max_epochs=max_epochs).observe(
        {"epoch": epoch, "train_loss": train}
    )
    assert reason == words if words is None else words in str(reason)


@pytest.mark.parametrize(("step", "fires"), [(1, False), (99, False), (100, True), (101, True)])
def test_step_cap(step: int, fires: bool) -> None:
    reason = StepCap(max_steps=100).observe(StepRecord(epoch=1, step=step, loss=1.0, lr=0.1))
    assert (reason == "reached the cap of 100 steps") if fires else reason is None
