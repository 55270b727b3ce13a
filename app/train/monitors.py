"""Monitors of a run: each `observe(entry)` one step record or history entry and answers why the
run must stop or be flagged, or None. Each keeps its own state and knows nothing of the model."""

import math
from typing import Protocol, TypeVar

from app.train.records import HistoryEntry, StepRecord

Entry = TypeVar("Entry", contravariant=True)


class Monitor(Protocol[Entry]):
    """Something that watches a sequence of entries."""

    def observe(self, entry: Entry) -> str | None:
        """A reason (a sentence) when the entry trips the rule, else None."""
        ...


class DivergenceMonitor:
    """Stops a run whose batch loss blew up: not finite, `factor` × the first loss, or a smoothed
    loss `explode_factor` × its best and above the start (a sustained rise)."""

    def __init__(self, *, factor: float, explode_factor: float) -> None:
        self.factor = factor  # a loss this many times the first one counts as diverged
        self.explode_factor = explode_factor  # so does a smoothed loss this many times its best
        self.reset()

    def reset(self) -> None:
        """Measure blow-ups from the next loss on (after a resume)."""
        self.first_loss: float | None = None  # the first loss observed since the reset
        self._smoothed = self._best_smoothed = math.inf  # exponential average (0.9) and its min

    def observe(self, entry: StepRecord) -> str | None:
        """Watch the loss computed before an update; a reason means: do not apply it."""
        loss, step, lr = entry.loss, entry.step, entry.lr
        if self.first_loss is None:
            self.first_loss = loss
        if not math.isfinite(loss):
            return (
                f"the loss became {loss} at step {step}: the updates overshot "
                f"(learning rate {lr:g})"
            )
        first = self.first_loss
        if step > 1 and loss > self.factor * max(first, 1e-12):
            return (
                f"the loss grew from {first:.4g} to {loss:.4g} by step {step} "
                f"(over {self.factor:g}×): the learning rate {lr:g} is too large for these inputs"
            )
        smooth = loss if not math.isfinite(self._smoothed) else 0.9 * self._smoothed + 0.1 * loss
        self._smoothed = smooth
        self._best_smoothed = min(self._best_smoothed, smooth)
        if smooth > self.explode_factor * self._best_smoothed and smooth > first:
            return (
                f"the loss rose to {smooth:.4g} (smoothed), over {self.explode_factor:g}× the "
                f"best it had reached ({self._best_smoothed:.4g}) and above where it started "
                f"({first:.4g}): the learning rate {lr:g} is too large"
            )
        return None


class OverfittingMonitor:
    """Flags, once, validation loss not improving for `patience` epochs while train loss falls."""

    def __init__(self, *, patience: int) -> None:
        self.patience = patience  # epochs without a new best validation loss
        self._best_val = math.inf
        self._train_at_best = math.inf  # train loss at the epoch of the best validation loss
        self._rising = 0  # epochs since that best
        self._flagged = False

    def observe(self, entry: HistoryEntry) -> str | None:
        """Watch an epoch's history entry."""
        val = entry["val_loss"]
        if val is None or not math.isfinite(val):
            return None
        if val < self._best_val:
            self._best_val, self._train_at_best, self._rising = val, entry["train_loss"], 0
            return None
        self._rising += 1
        falling = entry["train_loss"] < self._train_at_best
        if self._rising >= self.patience and falling and not self._flagged:
            self._flagged = True
            return (
                f"overfitting: validation loss has not improved on {self._best_val:.4g} for "
                f"{self._rising} epochs while training loss fell to {entry['train_loss']:.4g} "
                f"(epoch {entry['epoch']})"
            )
        return None


class EpochStop:
    """Finishes a run at an epoch's end: train loss at most `target_loss`, or `max_epochs` done."""

    def __init__(self, *, target_loss: float | None, max_epochs: int) -> None:
        self.target_loss = target_loss  # None: no target
        self.max_epochs = max_epochs

    def observe(self, entry: HistoryEntry) -> str | None:
        """Watch an epoch's history entry."""
        target = self.target_loss
        if target is not None and entry["train_loss"] <= target:
            return f"train loss {entry['train_loss']:.4g} reached the target {target:g}"
        if entry["epoch"] >= self.max_epochs:
            return f"completed {self.max_epochs} epochs"
        return None


class StepCap:
    """Finishes a run after `max_steps` updates (the server's limit), mid-epoch or not."""

    def __init__(self, *, max_steps: int) -> None:
        self.max_steps = max_steps

    def observe(self, entry: StepRecord) -> str | None:
        """Watch an applied update."""
        if entry.step >= self.max_steps:
            return f"reached the cap of {self.max_steps} steps"
        return None
