"""Worker threads taking turns on jobs: a ready line, timers, cohorts and housekeeping.

The scheduler knows nothing of what a job is. A worker takes the next ready job together with
every other ready job of the same cohort (jobs that can share one batched pass), hands them to
`take_turn`, and puts each back where the turn says: in line again at a time, or out of line
until someone schedules it. A job is in at most one place at once (in line, on a timer, or in
a worker's hands), so two workers never share it. Scheduling a job that waits on a timer takes
it up now; scheduling one that a worker holds takes it up again as soon as the turn ends.

An urgent schedule (a command for the job) puts a job that is out of line or on a timer at
the front of the line, so a command reaches a resting job within a turn, not a whole round of
every other job. A job already in line keeps its place (it is due for a turn anyway), so
sending commands never buys a job more turns than the others get.
"""

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

Job = TypeVar("Job", bound=Hashable)
Turn = Callable[[list[Job]], Sequence[tuple[Job, float | None]]]

log = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 1.0  # longest nap of an idle worker


class Scheduler(Generic[Job]):
    """Runs `take_turn` on ready jobs in `threads` worker threads (started on first use)."""

    def __init__(
        self,
        *,
        threads: int,
        take_turn: Turn[Job],
        cohort_of: Callable[[Job], Hashable | None],
        max_cohort: int,
        housekeeping: Callable[[], None],
        housekeeping_every: float,  # seconds between two housekeeping calls
    ) -> None:
        self._n_threads = threads
        self._take_turn = take_turn
        self._cohort_of = cohort_of
        self._max_cohort = max_cohort
        self._housekeeping = housekeeping
        self._housekeeping_every = housekeeping_every
        self._next_housekeeping = 0.0  # monotonic time of the next call
        self._cond = threading.Condition()
        self._ready: deque[Job] = deque()
        self._timers: list[tuple[float, int, Job]] = []  # (due, ticket, job), a heap
        self._ticket: dict[Job, int] = {}  # the live timer of each waiting job
        self._place: dict[Job, str] = {}  # "ready", "timer" or "turn"
        self._again: dict[Job, bool] = {}  # asked for while in a worker's hands (urgently?)
        self._tickets = itertools.count()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def schedule(self, job: Job, at: float | None = None, *, urgent: bool = False) -> None:
        """Put `job` in line now (or at monotonic time `at`), unless it is there already;
        `urgent`: at the front of the line, unless it is in line already."""
        with self._cond:
            place = self._place.get(job)
            if place == "turn":
                self._again[job] = self._again.get(job, False) or urgent
            elif place == "timer" and at is None:
                del self._ticket[job]  # its heap entry is now stale
                self._place[job] = "ready"
                self._line_up(job, urgent=urgent)
            elif place is None:
                if urgent:
                    self._place[job] = "ready"
                    self._ready.appendleft(job)
                else:
                    self._put(job, at)
            self._start()
            self._cond.notify()

    def holds(self, job: Job) -> bool:
        """Whether `job` is in line, on a timer or being worked on."""
        with self._cond:
            return job in self._place

    def on_worker_thread(self) -> bool:
        """Whether the caller is one of this scheduler's workers (which must never wait on
        a turn)."""
        return threading.current_thread() in self._threads

    def close(self) -> None:
        """Stop the workers after their current turn."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def _line_up(self, job: Job, *, urgent: bool) -> None:
        if urgent:
            self._ready.appendleft(job)
        else:
            self._ready.append(job)

    def _put(self, job: Job, at: float | None, *, urgent: bool = False) -> None:
        if at is None or at <= time.monotonic():
            self._place[job] = "ready"
            self._line_up(job, urgent=urgent)
        else:
            ticket = next(self._tickets)
            self._place[job], self._ticket[job] = "timer", ticket
            heapq.heappush(self._timers, (at, ticket, job))

    def _start(self) -> None:
        if self._threads or self._closed:
            return
        for i in range(self._n_threads):
            thread = threading.Thread(target=self._work, name=f"train-{i}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _next_jobs(self) -> list[Job] | None:
        """The next ready job with the ready jobs of its cohort; [] when housekeeping is due
        and nothing is ready; None when closing."""
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                while self._timers and self._timers[0][0] <= now:
                    _, ticket, job = heapq.heappop(self._timers)
                    if self._ticket.get(job) == ticket:
                        del self._ticket[job]
                        self._place[job] = "ready"
                        self._ready.append(job)
                if self._ready:
                    jobs = self._cohort(self._ready.popleft())
                    for job in jobs:
                        self._place[job] = "turn"
                    return jobs
                if now >= self._next_housekeeping:
                    return []
                wait = min(self._next_housekeeping - now, IDLE_WAIT_SECONDS)
                if self._timers:
                    wait = min(wait, self._timers[0][0] - now)
                self._cond.wait(timeout=wait)
        return None

    def _cohort(self, first: Job) -> list[Job]:
        key = self._cohort_of(first)
        if key is None or not self._ready:
            return [first]
        same = [j for j in self._ready if self._cohort_of(j) == key][: self._max_cohort - 1]
        if same:
            chosen = set(same)
            self._ready = deque(j for j in self._ready if j not in chosen)
        return [first, *same]

    def _work(self) -> None:
        while (jobs := self._next_jobs()) is not None:
            if time.monotonic() >= self._next_housekeeping:
                self._next_housekeeping = time.monotonic() + self._housekeeping_every
                try:
                    self._housekeeping()
                except Exception:  # a bug: logged, and the workers go on
                    log.exception("housekeeping failed")
            if not jobs:
                continue
            try:
                again = dict(self._take_turn(jobs))
            except Exception:  # a bug in the turn itself (a job's own errors are its own)
                log.exception("a turn failed; its jobs wait for the next command")
                again = {}
            self._release(jobs, again)

    def _release(self, jobs: list[Job], again: dict[Job, float | None]) -> None:
        with self._cond:
            for job in jobs:
                del self._place[job]
                at = again.get(job)
                if job in self._again:  # a command came during the turn: take it up now
                    # At the front only if the turn would have left it out of line or on a
                    # timer: a job that goes on at once keeps its turn in line.
                    urgent = self._again.pop(job) and (at is None or at > time.monotonic())
                    self._put(job, None, urgent=urgent)
                elif at is not None:
                    self._put(job, at)
            self._cond.notify()
