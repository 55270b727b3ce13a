"""One training run: its trainer, its command queue, its event log and its published snapshot.

Each field has one owner (the rule is written out at the top of runs.py): the worker that
holds the run owns the trainer and every field below "the worker's"; request threads and the
event loop only put commands, read the snapshot, the history and the log, and keep the two
fields below "the readers'".
"""

import time
from dataclasses import dataclass, field
from typing import Any

from app.train.commands import CommandQueue, Pace
from app.train.events import EventLog
from app.train.run_state import ACTIVE, Status
from app.train.trainer import TrainConfig, Trainer


@dataclass(eq=False)  # compared and hashed by identity: the scheduler keys on runs
class Run:
    """One training run: what it trains, how it is steered and what it has told."""

    id: str
    config: TrainConfig
    trainer: Trainer
    pace: Pace
    log: EventLog
    resolved: dict[str, Any]  # what the configuration resolved to (fixed at creation)
    commands: CommandQueue = field(default_factory=CommandQueue)
    snapshot: dict[str, Any] = field(default_factory=dict)  # the state routes return; replaced
    # whole by its owner, never changed in place
    history: list[dict[str, Any]] = field(default_factory=list)  # one entry per epoch; append
    # only, so readers may slice it at any time
    created: float = field(default_factory=time.monotonic)
    owner: str | None = None  # who may steer it: an opaque key (app/api/access.py makes it
    # the SHA-256 of the creator's token); fixed at creation
    # --- the worker's --------------------------------------------------------------------
    status: Status = "paused"
    reason: str | None = None
    flags: list[str] = field(default_factory=list)  # e.g. "overfitting"
    ended: float | None = None  # monotonic time it ended (its last events are logged by then)
    train_seconds: float = 0.0  # time spent training (paused time excluded)
    steps_wanted: int = 0  # single updates still to do for `step` commands
    next_frame_at: float = 0.0  # when the next frame is due (unpaced runs)
    next_tick: float = 0.0  # when a paced run does its next chunk of steps_per_frame updates
    chunk_left: int = 0  # updates left in a paced run's current chunk
    # --- the readers' --------------------------------------------------------------------
    last_seen: float = field(default_factory=time.monotonic)  # last request about this run
    readers: int = 0  # SSE streams open on this run (the event loop counts them)

    def touch(self) -> None:
        """Mark the run as looked after (it is not abandoned)."""
        self.last_seen = time.monotonic()

    @property
    def over(self) -> bool:
        """The published state says it ended: its last frame and status are in the log."""
        return self.snapshot.get("status", self.status) not in ACTIVE

    def publish(self) -> None:
        """Replace the snapshot with the run as it is now (its owner only, between updates)."""
        trainer = self.trainer
        latest = self.history[-1] if self.history else {}
        self.snapshot = {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "flags": list(self.flags),
            "epoch": trainer.epoch,
            "step": trainer.step_count,
            "metrics": {**latest, "batch_loss": trainer.last.loss if trainer.last else None},
            "lr": trainer.lr,
            "batch_size": trainer.batch_size,
            "frames_per_second": self.pace.frames_per_second,
            "steps_per_frame": self.pace.steps_per_frame,
            "train_seconds": round(self.train_seconds, 3),
            "last_event_id": self.log.last_id,
            "resolved": self.resolved,
        }
