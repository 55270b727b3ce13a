"""Each monitor alone: tables of loss sequences and where it must fire, or stay silent."""

import math

import pytest

from app.train.monitors import DivergenceMonitor, EpochStop, OverfittingMonitor, StepCap
from app.train.records import StepRecord

NAN, INF = math.nan, math.inf


def first_firing(monitor: DivergenceMonitor, losses: list[float]) -> tuple[int | None, str]:
    """The 0-based index of the first batch loss that trips the monitor, and its reason."""
    for i, loss in enumerate(losses):
        reason = monitor.observe(StepRecord(epoch=1, step=i + 1, loss=loss, lr=0.5))
        if reason:
            return i, reason
    return None, ""


def first_epoch_firing(
    monitor: DivergenceMonitor, losses: list[float], start: float | None = None
) -> tuple[int | None, str]:
    """The 1-based epoch whose loss trips the monitor (the run started at `start`)."""
    if start is not None:
        monitor.observe(StepRecord(epoch=1, step=1, loss=start, lr=0.5))
    for i, loss in enumerate(losses):
        reason = monitor.observe_epoch({"epoch": i + 1, "train_loss": loss, "lr": 0.5})
        if reason:
            return i + 1, reason
    return None, ""


# Batch losses: only a loss that is not finite stops the run mid-epoch.
# (batch losses, index of the first firing or None, words of the reason)
BATCH = [
    ([10.0, 9.0, 8.0, 7.0], None, ""),
    ([1.0, 0.9, NAN], 2, "the loss became nan at step 3 (epoch 1)"),
    ([INF], 0, "the loss became inf at step 1"),
    ([1.0, -INF], 1, "became -inf"),
    ([0.7, 0.05, 1.42, 0.04], None, ""),  # the spiral's noisy mini-batch: not a divergence
    ([1.0, 1e9], None, ""),  # one huge batch alone: judged when its epoch ends
]


@pytest.mark.parametrize(("losses", "index", "words"), BATCH)
def test_divergence_on_batches(losses: list[float], index: int | None, words: str) -> None:
    monitor = DivergenceMonitor(factor=100.0, explode_factor=10.0)
    found, reason = first_firing(monitor, losses)
    assert (found, words in reason) == (index, True)
    if index is not None:
        assert "learning rate 0.5" in reason


SETTLED = [1.0, 0.5, 0.2, 0.1, 0.05]  # epochs falling from where the run started (1.0)
# (epoch losses, loss before the first update, factor, epoch that diverges or None, words)
EPOCHS = [
    ([1764.0, 5.8e6, 1.9e10], 1764.0, 100.0, 2, "rose from 1764 (epoch 1) to 5.8e+06 (epoch 2)"),
    ([1.0, 100.0], 1.0, 100.0, None, ""),  # exactly the factor is not over it
    ([1.0, 100.5], 1.0, 100.0, 2, "over 100×"),
    ([1e9], 1e9, 100.0, None, ""),  # the first epoch is the yardstick, never over itself
    ([0.0, 1.0], 0.0, 100.0, 2, "rose from 0 (epoch 1) to 1"),  # a zero start: from 1e-12
    ([1.0, NAN], 1.0, 100.0, 2, "the loss of epoch 2 is nan"),
    (SETTLED, 1.0, 100.0, None, ""),
    # Stuck above where it started for 10 epochs (the spiral at lr 0.5): diverged at the 10th.
    ([0.8] * 12, 0.7, 100.0, 10, "stayed above where it started (0.7, before the first"),
    ([0.8] * 9 + [0.69] + [0.8] * 9, 0.7, 100.0, None, ""),  # one epoch below resets the count
    ([*SETTLED, *[0.6] * 10], 1.0, 100.0, 15, "over 10× its lowest (0.05, epoch 5)"),
    ([*SETTLED, *[0.4] * 10], 1.0, 100.0, None, ""),  # 8× its lowest and below the start
    ([*SETTLED, 0.6, 0.6, 0.3, 0.2, 0.1, 0.6], 1.0, 100.0, None, ""),  # a spike that recovers
]


@pytest.mark.parametrize(("losses", "start", "factor", "epoch", "words"), EPOCHS)
def test_divergence_on_epochs(
    losses: list[float], start: float, factor: float, epoch: int | None, words: str
) -> None:
    monitor = DivergenceMonitor(factor=factor, explode_factor=10.0)
    found, reason = first_epoch_firing(monitor, losses, start)
    assert found == epoch, reason
    assert words in reason
    if epoch is not None:
        assert "learning rate 0.5" in reason
        assert f"{losses[epoch - 1]:.4g}" in reason  # the number the chart draws at that epoch


def test_divergence_reset_measures_from_the_next_loss() -> None:
    monitor = DivergenceMonitor(factor=10.0, explode_factor=1e30)
    assert first_epoch_firing(monitor, [1.0, 5.0], start=1.0) == (None, "")
    monitor.reset()
    assert monitor.first_loss is None and monitor.first_epoch is None
    # 50 is 50× the old start, but only the yardstick after the reset.
    assert first_epoch_firing(monitor, [50.0, 60.0], start=50.0) == (None, "")
    assert monitor.first_loss == 50.0
    unreset = DivergenceMonitor(factor=10.0, explode_factor=1e30)
    assert first_epoch_firing(unreset, [1.0, 5.0, 50.0], start=1.0)[0] == 3


def epochs(train: list[float], val: list[float | None]) -> list[dict[str, float | None]]:
    return [
        {"epoch": i + 1, "train_loss": t, "val_loss": v}
        for i, (t, v) in enumerate(zip(train, val, strict=True))
    ]


def falling(n: int, start: float = 1.0, to: float = 0.1) -> list[float]:
    return [start + (to - start) * i / (n - 1) for i in range(n)]


DOWN = falling(60)
U_SHAPE = falling(20, 1.0, 0.3) + falling(40, 0.3, 0.9)  # val falls, then climbs for good
# (train losses, val losses, patience, [(epoch, flagged)] of every change)
OVERFITTING = [
    (DOWN, DOWN, 5, []),  # both fall together: fine
    (DOWN, [v * 0.9 for v in DOWN], 5, []),  # val at or below train: never overfitting
    (DOWN, [0.5] * 60, 5, []),  # flat val: not rising
    (DOWN, U_SHAPE, 5, [(42, True), (53, True)]),  # rises: flagged, then updated (25 % worse)
    ([1.0] * 60, U_SHAPE, 5, []),  # train does not keep falling: underfitting, not this
    (DOWN, [None] * 60, 1, []),  # no validation rows
    (DOWN, [1.0] + [NAN] * 59, 2, []),  # a blown-up val loss is not overfitting
    # rises, then improves again to a new low: the flag comes down
    (
        DOWN,
        falling(20, 1.0, 0.3) + falling(15, 0.3, 0.6) + falling(25, 0.6, 0.05),
        5,
        [(40, True), (49, False)],
    ),
]


@pytest.mark.parametrize(("train", "val", "patience", "changes"), OVERFITTING)
def test_overfitting(
    train: list[float], val: list[float | None], patience: int, changes: list[tuple[int, bool]]
) -> None:
    monitor = OverfittingMonitor(patience=patience)
    seen = []
    for entry in epochs(train, val):
        change = monitor.observe(entry)
        if change is not None:
            seen.append((entry["epoch"], change.flagged))
            quoted = f"{entry['val_loss']:.4g} (epoch {entry['epoch']})"
            if change.flagged:
                assert change.reason.startswith("overfitting: validation loss rose from")
                assert f"to {quoted}" in change.reason
            else:
                assert change.reason.startswith("no longer overfitting")
    assert seen == changes


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
