"""The event log: ids in order, steps and statuses kept, frames in a ring, strict JSON."""

import json

from app.api.sse import sse_event
from app.api.strict_json import dumps as strict_dumps
from app.train.events import EventLog


def parse(text: str) -> tuple[int, str, object]:
    lines = dict(line.split(": ", 1) for line in text.strip().split("\n"))
    return int(lines["id"]), lines["event"], json.loads(lines["data"])


def test_reader_resuming_anywhere_gets_every_step_once_and_the_latest_frames() -> None:
    log = EventLog(frame_ring=3, encode=sse_event)
    for i in range(50):
        log.append("step", {"i": i})
        log.append("frame", {"i": i})
    log.append("status", {"status": "finished"})
    for resume_at in (0, 1, 17, 60, 100):
        events = log.since(resume_at)
        ids = [e.id for e in events]
        assert ids == sorted(ids) and all(i > resume_at for i in ids)
        steps = [e.id for e in events if e.kind == "step"]
        assert steps == [i for i in range(1, 101, 2) if i > resume_at]
        assert [e.id for e in events if e.kind == "frame"] == [
            i for i in (96, 98, 100) if i > resume_at
        ]
        assert events[-1].kind == "status"


def test_limit_never_skips_a_step() -> None:
    log = EventLog(frame_ring=2, encode=sse_event)
    for i in range(30):
        log.append("step", {"i": i})
    log.append("frame", {})
    seen: list[int] = []
    last = 0
    while events := log.since(last, limit=7):
        seen += [e.id for e in events if e.kind == "step"]
        last = events[-1].id
    assert seen == list(range(1, 31))


def test_memory_is_bounded_for_frames() -> None:
    log = EventLog(frame_ring=4, encode=sse_event)
    for _ in range(1000):
        log.append("frame", {"big": list(range(100))})
    assert len(log.since(0)) == 4


def test_non_finite_numbers_are_strings() -> None:
    text = strict_dumps({"a": float("nan"), "b": [float("inf"), -float("inf"), 1.5]})
    assert json.loads(text) == {"a": "NaN", "b": ["Infinity", "-Infinity", 1.5]}
    log = EventLog(frame_ring=1, encode=sse_event)
    log.append("step", {"train_loss": float("inf")})
    assert parse(log.since(0)[0].text) == (1, "step", {"train_loss": "Infinity"})
