"""The scheduler on plain jobs: turns, timers, cohorts, no job in two hands, a bad turn."""

import threading
import time
from collections.abc import Callable, Iterator, Sequence

import pytest

from app.train.scheduler import Scheduler


def wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


class Recorder:
    """A turn that records who was taken up with whom, and asks back as told."""

    def __init__(self) -> None:
        self.turns: list[list[str]] = []
        self.again: dict[str, float | None] = {}  # job → seconds until it goes again
        self.hold = threading.Event()  # set: a turn on "slow" waits until cleared
        self.in_hands: set[str] = set()
        self.overlaps = 0
        self._lock = threading.Lock()

    def __call__(self, jobs: list[str]) -> Sequence[tuple[str, float | None]]:
        with self._lock:
            self.overlaps += len(self.in_hands & set(jobs))
            self.in_hands |= set(jobs)
            self.turns.append(list(jobs))
        while "slow" in jobs and self.hold.is_set():
            time.sleep(0.001)
        with self._lock:
            self.in_hands -= set(jobs)
        out = []
        for job in jobs:
            delay = self.again.get(job)
            out.append((job, None if delay is None else time.monotonic() + delay))
        return out

    def count(self, job: str) -> int:
        with self._lock:
            return sum(job in turn for turn in self.turns)


def cohort(job: str) -> str | None:
    return job.split("-")[0] if "-" in job else None  # "a-1" and "a-2" share cohort "a"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def scheduler(recorder: Recorder) -> Iterator[Scheduler[str]]:
    s: Scheduler[str] = Scheduler(
        threads=1,
        take_turn=recorder,
        cohort_of=cohort,
        max_cohort=3,
        housekeeping=lambda: None,
        housekeeping_every=3600,
    )
    yield s
    s.close()


def test_a_job_rests_until_scheduled_again(scheduler: Scheduler[str], recorder: Recorder) -> None:
    scheduler.schedule("x")
    wait_for(lambda: recorder.count("x") == 1 and not scheduler.holds("x"))
    scheduler.schedule("x")
    wait_for(lambda: recorder.count("x") == 2)


def test_scheduled_during_its_turn_it_goes_again(
    scheduler: Scheduler[str], recorder: Recorder
) -> None:
    recorder.hold.set()
    scheduler.schedule("slow")
    wait_for(lambda: recorder.count("slow") == 1)
    scheduler.schedule("slow")  # while held: once the turn ends, it is taken up again
    recorder.hold.clear()
    wait_for(lambda: recorder.count("slow") == 2 and not scheduler.holds("slow"))


def test_scheduling_a_job_on_a_timer_takes_it_up_now(
    scheduler: Scheduler[str], recorder: Recorder
) -> None:
    recorder.again["x"] = 30.0
    scheduler.schedule("x")
    wait_for(lambda: recorder.count("x") == 1 and scheduler.holds("x"))  # now on its timer
    started = time.monotonic()
    recorder.again["x"] = None
    scheduler.schedule("x")
    wait_for(lambda: recorder.count("x") == 2, seconds=5)
    assert time.monotonic() - started < 5


def test_a_timer_brings_a_job_back(scheduler: Scheduler[str], recorder: Recorder) -> None:
    recorder.again["x"] = 0.05
    scheduler.schedule("x")
    wait_for(lambda: recorder.count("x") >= 3)


def test_ready_jobs_of_one_cohort_go_together(
    scheduler: Scheduler[str], recorder: Recorder
) -> None:
    recorder.hold.set()
    scheduler.schedule("slow")  # keeps the only worker busy while the others line up
    wait_for(lambda: recorder.count("slow") == 1)
    for job in ("a-1", "b-1", "a-2", "a-3", "a-4", "solo"):
        scheduler.schedule(job)
    recorder.hold.clear()
    wait_for(lambda: recorder.count("solo") == 1 and recorder.count("a-4") == 1)
    assert recorder.turns[1:] == [["a-1", "a-2", "a-3"], ["b-1"], ["a-4"], ["solo"]]


def test_no_job_is_ever_in_two_workers_hands(recorder: Recorder) -> None:
    scheduler: Scheduler[str] = Scheduler(
        threads=4,
        take_turn=recorder,
        cohort_of=cohort,
        max_cohort=8,
        housekeeping=lambda: None,
        housekeeping_every=3600,
    )
    try:
        jobs = [f"{g}-{i}" for g in "abc" for i in range(4)] + ["x", "y"]
        for job in jobs:
            recorder.again[job] = 0.0  # always back in line at once
            scheduler.schedule(job)
        for _ in range(200):
            for job in jobs:
                scheduler.schedule(job)
        wait_for(lambda: all(recorder.count(job) >= 20 for job in jobs))
    finally:
        scheduler.close()
    assert recorder.overlaps == 0


def test_a_turn_that_raises_leaves_the_workers_going(recorder: Recorder) -> None:
    def take_turn(jobs: list[str]) -> Sequence[tuple[str, float | None]]:
        if "bad" in jobs:
            raise RuntimeError("a bug")
        return recorder(jobs)

    scheduler: Scheduler[str] = Scheduler(
        threads=1,
        take_turn=take_turn,
        cohort_of=cohort,
        max_cohort=3,
        housekeeping=lambda: None,
        housekeeping_every=3600,
    )
    try:
        scheduler.schedule("bad")
        wait_for(lambda: not scheduler.holds("bad"))
        scheduler.schedule("good")
        wait_for(lambda: recorder.count("good") == 1)
    finally:
        scheduler.close()


def test_housekeeping_runs_even_when_idle() -> None:
    calls: list[float] = []
    scheduler: Scheduler[str] = Scheduler(
        threads=1,
        take_turn=lambda jobs: [(j, None) for j in jobs],
        cohort_of=cohort,
        max_cohort=3,
        housekeeping=lambda: calls.append(time.monotonic()),
        housekeeping_every=0.05,
    )
    try:
        scheduler.schedule("x")  # the first command starts the workers
        wait_for(lambda: len(calls) >= 3)
    finally:
        scheduler.close()


def test_an_urgent_job_out_of_line_goes_first_and_one_in_line_keeps_its_place(
    scheduler: Scheduler[str], recorder: Recorder
) -> None:
    recorder.hold.set()
    scheduler.schedule("slow")  # keeps the only worker busy while the others line up
    wait_for(lambda: recorder.count("slow") == 1)
    for job in ("p", "q", "r"):
        scheduler.schedule(job)
    scheduler.schedule("r", urgent=True)  # in line already: no jump (no turns bought)
    scheduler.schedule("cmd", urgent=True)  # out of line: a command for it goes first
    recorder.hold.clear()
    wait_for(lambda: recorder.count("r") == 1 and recorder.count("cmd") == 1)
    assert recorder.turns[1:] == [["cmd"], ["p"], ["q"], ["r"]]
