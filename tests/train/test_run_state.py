"""The status table: every (status, trigger) pair moves, does nothing, or is refused in words."""

from typing import get_args

import pytest

from app.errors import UserError
from app.train.run_state import (
    ACTIVE,
    REFUSALS,
    TRANSITIONS,
    Status,
    Trigger,
    next_status,
)


@pytest.mark.parametrize(
    ("status", "trigger", "expected"),
    [
        ("running", "pause", "paused"),
        ("paused", "pause", None),  # pausing twice is harmless
        ("finished", "pause", None),
        ("paused", "resume", "running"),
        ("running", "resume", "running"),  # a double click or a retried request is harmless
        ("diverged", "resume", "running"),
        ("stopped", "resume", "the run is stopped; only a paused run resumes"),
        ("failed", "resume", "the run is failed; only a paused run resumes"),
        ("paused", "step", "paused"),
        ("running", "step", "the run is running; pause it to step"),
        ("diverged", "step", "the run is diverged; pause it to step"),
        ("finished", "step", "the run is finished; pause it to step"),
        ("running", "stop", "stopped"),
        ("paused", "stop", "stopped"),
        ("diverged", "stop", "stopped"),
        ("finished", "stop", None),  # stopping an ended run changes nothing
        ("failed", "stop", None),
        ("paused", "change", "paused"),
        ("diverged", "change", "diverged"),
        ("stopped", "change", "the run is stopped; it can no longer change"),
        ("failed", "change", "the run is failed; it can no longer change"),
        ("running", "finish", "finished"),
        ("paused", "finish", "finished"),  # a single step may end the last epoch
        ("stopped", "finish", None),  # a stop that came first stands
        ("running", "diverge", "diverged"),
        ("running", "fail", "failed"),
        ("paused", "fail", "failed"),
        ("stopped", "fail", None),
        ("running", "time_up", "stopped"),
        ("diverged", "abandon", "stopped"),
        ("finished", "abandon", None),
    ],
)
def test_transitions(status: Status, trigger: Trigger, expected: str | None) -> None:
    if expected is None or expected in get_args(Status):
        assert next_status(status, trigger) == expected
    else:
        with pytest.raises(UserError) as err:
            next_status(status, trigger)
        assert err.value.message == expected and err.value.type == "run_state"


def test_ended_runs_never_come_back() -> None:
    for (status, _), new in TRANSITIONS.items():
        assert status in ACTIVE, (status, new)


def test_every_status_and_trigger_is_known() -> None:
    statuses, triggers = set(get_args(Status)), set(get_args(Trigger))
    assert {s for s, _ in TRANSITIONS} | set(TRANSITIONS.values()) <= statuses
    assert {t for _, t in TRANSITIONS} | set(REFUSALS) <= triggers
    assert statuses >= ACTIVE and "failed" in statuses
