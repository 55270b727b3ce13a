"""What training produces, update by update and epoch by epoch (plain data, no torch)."""

from dataclasses import dataclass
from typing import Any

# One epoch's line of the history (GET /api/v1/runs/{id}/history): epoch, step, train_loss,
# val_loss, train_accuracy, val_accuracy, grad_norm, lr, and params {w, b} for two-parameter models.
HistoryEntry = dict[str, Any]


@dataclass
class StepRecord:
    """One update: the batch loss computed before it, the learning rate, where we are."""

    epoch: int  # 1-based epoch this update belongs to
    step: int  # 1-based count of updates so far
    loss: float  # data loss of the batch before the update (regularization excluded)
    lr: float  # learning rate of this update


@dataclass(frozen=True)
class OverfitChange:
    """The overfitting flag went up (`flagged`), was updated, or came down; `reason` says why."""

    flagged: bool  # True: raised or updated; False: withdrawn
    reason: str  # what the monitor saw, in the chart's numbers


@dataclass
class StepOutcome:
    """What one call of `Trainer.step` produced."""

    record: StepRecord
    history: HistoryEntry | None = None  # the epoch's history entry, when this step ended one
    diverged: str | None = None  # why the run must stop, when the loss blew up
    finished: str | None = None  # why the run is complete (epoch cap, target loss)
    overfitting: OverfitChange | None = None  # the overfitting flag went up, changed or down
