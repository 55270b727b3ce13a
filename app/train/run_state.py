"""A run's status as a state machine: one table from (status, trigger) to the new status.

Triggers are users' commands (pause, resume, step, stop, change), what an update tells the
worker (finish, diverge, fail, time_up) and the housekeeping finding a run nobody looks after
(abandon). A pair missing from the table either does nothing (pausing a paused run, stopping a
finished one) or, for the triggers in `REFUSALS`, is refused with that sentence.
The table is pure data: no torch, no threads.
"""

from typing import Literal

from app.errors import ErrorType, UserError

Status = Literal["running", "paused", "finished", "diverged", "stopped", "failed"]
Trigger = Literal[
    "pause", "resume", "step", "stop", "change", "finish", "diverge", "fail", "time_up", "abandon"
]

ACTIVE: frozenset[str] = frozenset({"running", "paused", "diverged"})  # not yet ended
RESTING: frozenset[str] = frozenset({"paused", "finished", "diverged", "stopped", "failed"})

TRANSITIONS: dict[tuple[Status, Trigger], Status] = {
    # Users.
    ("running", "pause"): "paused",
    ("paused", "resume"): "running",
    ("running", "resume"): "running",  # a double click or a retried request: nothing to do
    ("diverged", "resume"): "running",  # only while its parameters are finite (the worker checks)
    ("paused", "step"): "paused",  # updates one by one, then stays paused
    ("running", "stop"): "stopped",
    ("paused", "stop"): "stopped",
    ("diverged", "stop"): "stopped",
    ("running", "change"): "running",
    ("paused", "change"): "paused",
    ("diverged", "change"): "diverged",
    # The worker, after an update (a single step of a paused run counts too).
    ("running", "finish"): "finished",
    ("paused", "finish"): "finished",
    ("running", "diverge"): "diverged",
    ("paused", "diverge"): "diverged",
    ("running", "fail"): "failed",
    ("paused", "fail"): "failed",
    ("diverged", "fail"): "failed",
    ("running", "time_up"): "stopped",
    ("paused", "time_up"): "stopped",
    # The housekeeping.
    ("running", "abandon"): "stopped",
    ("paused", "abandon"): "stopped",
    ("diverged", "abandon"): "stopped",
}

REFUSALS: dict[Trigger, str] = {
    "resume": "the run is {status}; only a paused run resumes",
    "step": "the run is {status}; pause it to step",
    "change": "the run is {status}; it can no longer change",
}


def next_status(status: Status, trigger: Trigger) -> Status | None:
    """The status after `trigger`; None when it does nothing in this status. Raises UserError
    (run_state) when it is refused in this status."""
    new = TRANSITIONS.get((status, trigger))
    if new is None and trigger in REFUSALS:
        raise UserError(REFUSALS[trigger].format(status=status), ErrorType.RUN_STATE)
    return new
