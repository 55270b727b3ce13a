"""Monitors of a run: each `observe(entry)` one step record or history entry and answers why the
run must stop or be flagged, or None. Each keeps its own state and knows nothing of the model.

The rules judge what the loss chart shows (an epoch's loss, never one noisy mini-batch alone)
and their messages quote the chart's numbers, so the banner, the status line and the curves
tell one story.
"""

import math
from typing import Protocol, TypeVar

from app.train.records import HistoryEntry, OverfitChange, StepRecord

Entry = TypeVar("Entry", contravariant=True)


class Monitor(Protocol[Entry]):
    """Something that watches a sequence of entries."""

    def observe(self, entry: Entry) -> str | None:
        """A reason (a sentence) when the entry trips the rule, else None."""
        ...


class DivergenceMonitor:
    """Stops a run whose loss blew up. Three rules:

    - a batch loss that is not finite stops the run before that update (nothing else can be
      drawn);
    - an epoch's loss over `factor` × the first epoch's loss (a blow-up: the raw thermometer's
      1,764 → 5.8 million at epoch 2);
    - `patience` epochs in a row whose loss is above where the run started (the loss before
      its first update) or above `explode_factor` × the lowest epoch loss so far: a sustained
      rise that a noisy epoch or batch cannot fake, since one epoch below resets the count.
    """

    def __init__(self, *, factor: float, explode_factor: float, patience: int = 10) -> None:
        self.factor = factor  # an epoch loss this many times the first epoch's has diverged
        self.explode_factor = explode_factor  # a sustained loss this many times the lowest, too
        self.patience = patience  # epochs in a row above the start or the lowest × factor
        self.reset()

    def reset(self) -> None:
        """Measure blow-ups from the next loss on (after a resume)."""
        self.first_loss: float | None = None  # the loss before the first update since the reset
        self.first_epoch: tuple[int, float] | None = None  # (epoch, loss) of the first epoch seen
        self.lowest: tuple[int, float] | None = None  # (epoch, loss) of the lowest epoch loss
        self._above = 0  # epochs in a row above the start or the lowest × explode_factor

    def observe(self, entry: StepRecord) -> str | None:
        """Watch the loss computed before an update; a reason means: do not apply it."""
        loss, step, lr = entry.loss, entry.step, entry.lr
        if self.first_loss is None:
            self.first_loss = loss
        if not math.isfinite(loss):
            return (
                f"the loss became {loss} at step {step} (epoch {entry.epoch}): the updates "
                f"overshot (learning rate {lr:g})"
            )
        return None

    def observe_epoch(self, entry: HistoryEntry) -> str | None:
        """Watch an epoch's history entry (its loss is what the chart draws)."""
        epoch, loss, lr = entry["epoch"], entry["train_loss"], entry["lr"]
        if not math.isfinite(loss):
            return (
                f"the loss of epoch {epoch} is {loss}: the updates overshot (learning rate {lr:g})"
            )
        if self.first_epoch is None:
            self.first_epoch = (epoch, loss)
        first_epoch, first = self.first_epoch
        if epoch > first_epoch and loss > self.factor * max(first, 1e-12):
            return (
                f"the loss rose from {first:.4g} (epoch {first_epoch}) to {loss:.4g} (epoch "
                f"{epoch}), over {self.factor:g}×: the learning rate {lr:g} is too large for "
                "these inputs"
            )
        if self.lowest is None or loss < self.lowest[1]:
            self.lowest = (epoch, loss)
        start = self.first_loss if self.first_loss is not None else first
        lowest_epoch, lowest = self.lowest
        over_start, over_lowest = loss > start, loss > self.explode_factor * lowest
        self._above = self._above + 1 if over_start or over_lowest else 0
        if self._above < self.patience:
            return None
        against = (
            f"above where it started ({start:.4g}, before the first update)"
            if over_start
            else f"over {self.explode_factor:g}× its lowest ({lowest:.4g}, epoch {lowest_epoch})"
        )
        return (
            f"the loss has stayed {against} for {self._above} epochs; it is {loss:.4g} at epoch "
            f"{epoch}: the learning rate {lr:g} is too large"
        )


class OverfittingMonitor:
    """Flags validation loss rising clearly above its own smoothed minimum while training loss
    keeps falling and the gap between them widens, held for `patience` epochs; withdraws the
    flag once that has stopped being true for `patience` // 4 epochs (at least 2).

    Losses are smoothed (exponential average, `SMOOTHING`) so one noisy epoch neither raises
    nor withdraws it; the messages quote the raw epoch losses the chart draws.
    """

    SMOOTHING = 0.2  # weight of the newest epoch in the averages
    RISE = 0.1  # "clearly above": 10 % over the smoothed minimum

    def __init__(self, *, patience: int) -> None:
        self.patience = patience  # epochs the pattern must hold before the flag goes up
        self.flagged = False
        self._val = self._train = math.nan  # smoothed losses
        self._best: tuple[float, float, float, int, float, float] | None = None
        # ^ at the smoothed val minimum: (val_s, train_s, gap_s, epoch, raw val, raw train)
        self._holding = 0  # epochs in a row the pattern held
        self._released = 0  # epochs in a row it did not, while flagged
        self._reported_val = math.nan  # the val loss the last message quoted

    def observe(self, entry: HistoryEntry) -> OverfitChange | None:
        """Watch an epoch's history entry; a change of the flag, or None."""
        val, train, epoch = entry["val_loss"], entry["train_loss"], entry["epoch"]
        if val is None or not (math.isfinite(val) and math.isfinite(train)):
            return None
        a = self.SMOOTHING
        first = math.isnan(self._val)
        self._val = val if first else (1 - a) * self._val + a * val
        self._train = train if first else (1 - a) * self._train + a * train
        gap = self._val - self._train
        if self._best is None or self._val < self._best[0]:
            self._best = (self._val, self._train, gap, epoch, val, train)
        best_val, best_train, best_gap, best_epoch, raw_best, raw_train_best = self._best
        holds = (
            self._val > best_val * (1 + self.RISE) + 1e-9
            and self._train < best_train
            and gap > max(best_gap, 0.0)
        )
        self._holding = self._holding + 1 if holds else 0
        self._released = 0 if holds else self._released + 1
        if holds and self._holding >= self.patience:
            if self.flagged and val < self._reported_val * 1.25:
                return None  # already said, and not much worse since
            self.flagged, self._reported_val = True, val
            return OverfitChange(
                True,
                f"overfitting: validation loss rose from {raw_best:.4g} (epoch {best_epoch}) to "
                f"{val:.4g} (epoch {epoch}) while training loss fell from {raw_train_best:.4g} "
                f"to {train:.4g}",
            )
        if self.flagged and self._released >= max(2, self.patience // 4):
            self.flagged, self._reported_val = False, math.nan
            return OverfitChange(
                False,
                f"no longer overfitting: validation loss is {val:.4g} at epoch {epoch} "
                f"(its low was {raw_best:.4g}, epoch {best_epoch})",
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
