"""The run registry: runs train in worker threads (never on the event loop), are steered by
commands between updates, stream their events, and are capped and cleaned up.

Worker threads (one by default: small runs are bound by the GIL, see app/settings.py) share
all runs: each takes the next ready run, trains it for a short slice, emits its frames and
events, and puts it back in line. Pausing just leaves a run out of line, so a paused run costs
no CPU; commands never wait for a slice to end.
"""

import heapq
import itertools
import math
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from app.errors import ErrorType, LimitError, UserError
from app.settings import TrainLimits
from app.train.cohort import step_together
from app.train.datasets import describe_points
from app.train.events import EventLog
from app.train.program import model_program
from app.train.trainer import StepOutcome, TrainConfig, Trainer

Status = Literal["running", "paused", "finished", "diverged", "stopped"]
ACTIVE: frozenset[str] = frozenset({"running", "paused", "diverged"})

SLICE_SECONDS = 0.02  # a worker trains one run this long before taking the next in line
MAX_COHORT = 64  # runs of one architecture trained together in one batched pass
_CONTINUE = object()  # a run goes on within the slice


@dataclass
class Pace:
    """How fast a run goes and how often it is drawn (changeable while it runs)."""

    frames_per_second: float = 10.0  # frames streamed per second while someone reads
    steps_per_frame: int | None = None  # updates between frames; None = as fast as possible


@dataclass
class Run:
    """One training run: its trainer, status, history and event log."""

    id: str
    config: TrainConfig
    trainer: Trainer
    pace: Pace
    log: EventLog
    status: Status = "paused"
    reason: str | None = None
    flags: list[str] = field(default_factory=list)  # e.g. "overfitting"
    history: list[dict[str, Any]] = field(default_factory=list)
    created: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)  # last request about this run
    ended: float | None = None
    train_seconds: float = 0.0  # time spent training (paused time excluded)
    readers: int = 0  # SSE streams open on this run
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Commands for the worker, applied between updates.
    pending_lr: float | None = None
    pending_batch_size: tuple[int | None] | None = None
    steps_wanted: int = 0  # single steps asked for while paused
    scheduled: bool = False  # in line or being trained (so no two workers share it)
    next_frame_at: float = 0.0  # when the next frame is due (unpaced runs)
    next_tick: float = 0.0  # when a paced run does its next chunk of steps_per_frame updates
    chunk_left: int = 0  # updates left in a paced run's current chunk

    def touch(self) -> None:
        """Mark the run as looked after (it is not abandoned)."""
        self.last_seen = time.monotonic()


class RunRegistry:
    """All runs of this process, and the worker threads that train them."""

    def __init__(self, limits: TrainLimits) -> None:
        self.limits = limits
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()
        self._ready: deque[Run] = deque()
        self._timers: list[tuple[float, int, Run]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition(self._lock)
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._next_sweep = 0.0

    # --- lifecycle -----------------------------------------------------------------------

    def _start_workers(self) -> None:
        if self._threads:
            return
        for i in range(self.limits.worker_threads):
            thread = threading.Thread(target=self._work, name=f"train-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        """Stop the workers (runs stay readable)."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def create(self, config: TrainConfig, *, pace: Pace | None = None, start: bool = True) -> Run:
        """Build a run (data, model, optimizer) and start it; raises on a bad configuration."""
        self.sweep()
        with self._lock:
            active = sum(r.status in ACTIVE for r in self._runs.values())
        if active >= self.limits.max_active_runs:
            raise LimitError(
                f"{active} runs are already going (the limit is {self.limits.max_active_runs}); "
                "stop one first"
            )
        pace = pace or Pace()
        self._check_pace(pace)
        trainer = Trainer(config, self.limits)
        run = Run(
            id=uuid.uuid4().hex[:12],
            config=config,
            trainer=trainer,
            pace=pace,
            log=EventLog(frame_ring=self.limits.frame_ring),
        )
        self._emit_frame(run)
        with self._lock:  # checked again: another create may have come in meanwhile
            active = sum(r.status in ACTIVE for r in self._runs.values())
            if active >= self.limits.max_active_runs:
                raise LimitError(
                    f"{active} runs are already going (the limit is "
                    f"{self.limits.max_active_runs}); stop one first"
                )
            if len(self._runs) >= self.limits.max_stored_runs:
                ended = [r for r in self._runs.values() if r.ended is not None]
                if not ended:
                    raise LimitError(f"the server holds {len(self._runs)} runs; try again later")
                oldest = min(ended, key=lambda r: r.ended or 0.0)
                del self._runs[oldest.id]  # the longest-ended run makes room
            self._runs[run.id] = run
        self._set_status(run, "running" if start else "paused", None)
        if start:
            self._schedule(run)
        return run

    def get(self, run_id: str) -> Run:
        """The run with this id; touching it keeps it from being treated as abandoned."""
        run = self._runs.get(run_id)
        if run is None:
            raise UserError(
                f"there is no run {run_id!r} (finished runs are forgotten)", ErrorType.NOT_FOUND
            )
        run.touch()
        return run

    def runs(self) -> list[Run]:
        """Every run held, oldest first."""
        with self._lock:
            return list(self._runs.values())

    # --- commands ------------------------------------------------------------------------

    def pause(self, run_id: str) -> Run:
        """Stop updating after the current one; the run can resume or step."""
        run = self.get(run_id)
        with run.lock:
            if run.status == "running":
                self._set_status(run, "paused", "paused by request")
        return run

    def resume(self, run_id: str) -> Run:
        """Continue a paused (or diverged, if its parameters are still finite) run."""
        run = self.get(run_id)
        with run.lock:
            if run.status == "diverged":
                if not all(bool(torch.isfinite(p).all()) for p in run.trainer.model.parameters()):
                    raise UserError(
                        "the parameters are no longer finite numbers, so this run cannot go on: "
                        "start a new run with a smaller learning rate",
                        ErrorType.RUN_STATE,
                    )
                run.trainer.reset_divergence_watch()
            elif run.status != "paused":
                raise UserError(
                    f"the run is {run.status}; only a paused run resumes", ErrorType.RUN_STATE
                )
            self._set_status(run, "running", None)
        self._schedule(run)
        return run

    def step(self, run_id: str, *, count: int = 1) -> Run:
        """Perform `count` updates of a paused run, then stay paused."""
        run = self.get(run_id)
        if not 1 <= count <= 10_000:
            raise UserError("count must be 1 to 10000", ErrorType.LIMIT_EXCEEDED)
        with run.lock:
            if run.status != "paused":
                raise UserError(f"the run is {run.status}; pause it to step", ErrorType.RUN_STATE)
            run.steps_wanted += count
        self._schedule(run)
        return run

    def stop(self, run_id: str) -> Run:
        """End the run for good; it stays readable."""
        run = self.get(run_id)
        with run.lock:
            if run.status in ACTIVE:
                if not run.scheduled:  # else the worker draws the last frame
                    self._emit_frame(run)
                self._set_status(run, "stopped", "stopped by request")
        return run

    def change(
        self,
        run_id: str,
        *,
        lr: float | None = None,
        batch_size: tuple[int | None] | None = None,
        pace: Pace | None = None,
    ) -> Run:
        """Live changes: learning rate (next update), batch size (next epoch), pace (now)."""
        run = self.get(run_id)
        if lr is not None and not (math.isfinite(lr) and 0 < lr <= 1e6):
            raise UserError(
                "lr must be a positive number (at most 1e6)", ErrorType.INVALID_OPTIMIZER
            )
        if batch_size is not None and batch_size[0] is not None and batch_size[0] < 1:
            raise UserError(
                "batch_size must be at least 1 (or null for the whole set)",
                ErrorType.LIMIT_EXCEEDED,
            )
        if pace is not None:
            self._check_pace(pace)
        with run.lock:
            if run.status not in ACTIVE:
                raise UserError(
                    f"the run is {run.status}; it can no longer change", ErrorType.RUN_STATE
                )
            if lr is not None:
                run.pending_lr = lr
            if batch_size is not None:
                run.pending_batch_size = batch_size
            if pace is not None:
                run.pace = pace
                run.next_frame_at = run.chunk_left = 0
            if not run.scheduled:
                self._apply_pending(run)
        if run.status == "running":
            self._schedule(run)  # a slower pace may have a timer far away
        return run

    def _check_pace(self, pace: Pace) -> None:
        if not 0.1 <= pace.frames_per_second <= self.limits.max_frames_per_second:
            raise LimitError(
                "frames_per_second must be at least 0.1 and at most "
                f"{self.limits.max_frames_per_second}"
            )
        if pace.steps_per_frame is not None and not 1 <= pace.steps_per_frame <= 100_000:
            raise LimitError("steps_per_frame must be 1 to 100000 (or null: as fast as possible)")

    def _apply_pending(self, run: Run) -> None:
        """Hand queued changes to the trainer (called with run.lock held, never mid-update)."""
        if run.pending_lr is not None:
            run.trainer.set_lr(run.pending_lr)
            run.pending_lr = None
        if run.pending_batch_size is not None:
            run.trainer.set_batch_size(run.pending_batch_size[0])
            run.pending_batch_size = None

    # --- events --------------------------------------------------------------------------

    def _set_status(self, run: Run, status: Status, reason: str | None) -> None:
        run.status, run.reason = status, reason
        if status not in ACTIVE:
            run.ended = time.monotonic()
        run.log.append("status", {"status": status, "reason": reason, "flags": run.flags})
        run.log.notify()

    def _emit_frame(self, run: Run) -> None:
        run.log.append("frame", run.trainer.frame())
        run.next_frame_at = time.monotonic() + 1 / run.pace.frames_per_second

    def _record(self, run: Run, outcome: StepOutcome) -> None:
        if outcome.history is not None:
            run.history.append(outcome.history)
            run.log.append("step", outcome.history)
        if outcome.overfitting:
            run.flags.append("overfitting")
            run.log.append(
                "status", {"status": run.status, "reason": outcome.overfitting, "flags": run.flags}
            )

    # --- scheduling ----------------------------------------------------------------------

    def _schedule(self, run: Run, at: float | None = None) -> None:
        with self._wake:
            if run.scheduled:
                return
            run.scheduled = True
            if at is None:
                self._ready.append(run)
            else:
                heapq.heappush(self._timers, (at, next(self._counter), run))
            self._start_workers()
            self._wake.notify()

    def _next_runs(self) -> list[Run] | None:
        """The next ready run, with every other ready run of the same architecture (they train
        together, see cohort.py); [] when a sweep is due and nothing is ready; None when
        closing."""
        with self._wake:
            while not self._closed:
                now = time.monotonic()
                while self._timers and self._timers[0][0] <= now:
                    self._ready.append(heapq.heappop(self._timers)[2])
                if self._ready:
                    first = self._ready.popleft()
                    signature = first.trainer.signature
                    if signature is None or not self._ready:
                        return [first]
                    same = [r for r in self._ready if r.trainer.signature == signature]
                    same = same[: MAX_COHORT - 1]
                    if same:
                        chosen = set(map(id, same))
                        self._ready = deque(r for r in self._ready if id(r) not in chosen)
                    return [first, *same]
                if now >= self._next_sweep:
                    return []  # nothing to train: time to look for abandoned runs
                wait = self._timers[0][0] - now if self._timers else 1.0
                self._wake.wait(timeout=min(wait, 1.0))
        return None

    def _work(self) -> None:
        torch.set_num_threads(1)  # tiny tensors: threads cost more than they give on 2 cores
        while (runs := self._next_runs()) is not None:
            if time.monotonic() >= self._next_sweep:
                self._next_sweep = time.monotonic() + self.limits.sweep_every_seconds
                self.sweep()
            if not runs:
                continue
            for run, again_at in self._train_slice(runs):
                with self._wake:
                    run.scheduled = False
                if again_at is None and (run.status == "running" or run.steps_wanted > 0):
                    # A resume or step arrived while this slice held the run (its _schedule
                    # found it still scheduled and did nothing): take it up again now.
                    again_at = time.monotonic()
                if again_at is not None:
                    self._schedule(run, at=again_at)

    def _train_slice(self, runs: list[Run]) -> list[tuple[Run, float | None]]:
        """Train `runs` together for one slice; for each, when it wants to go again (None: not
        until a command says so)."""
        started = time.monotonic()
        deadline = started + SLICE_SECONDS
        share = 1 / len(runs)  # runs trained together share the wall time
        done: list[tuple[Run, float | None]] = []
        active = list(runs)
        try:
            while active:
                stepping: dict[str, bool] = {}
                for run in list(active):
                    with run.lock:
                        single = run.status == "paused" and run.steps_wanted > 0
                        if run.status != "running" and not single:
                            self._emit_frame(run)
                            active.remove(run)
                            done.append((run, None))
                            continue
                        if single:
                            run.steps_wanted -= 1
                        self._apply_pending(run)
                    stepping[run.id] = single
                if not active:
                    break
                outcomes = step_together([run.trainer for run in active])
                now = time.monotonic()
                elapsed = (now - started) * share
                for run, outcome in zip(list(active), outcomes, strict=True):
                    again = self._after_step(run, outcome, stepping[run.id], now, elapsed)
                    if again is _CONTINUE and now >= deadline:
                        again = now
                    if again is not _CONTINUE:
                        active.remove(run)
                        done.append((run, again))  # type: ignore[arg-type]
        finally:
            elapsed = (time.monotonic() - started) * share
            for run in runs:
                run.train_seconds += elapsed
                run.log.notify()
        return done

    def _after_step(
        self, run: Run, outcome: StepOutcome, single: bool, now: float, elapsed: float
    ) -> float | object | None:
        """Record an update and decide: go on (_CONTINUE), come back at a time, or rest."""
        self._record(run, outcome)
        if outcome.diverged or outcome.finished:
            with run.lock:  # the last frame first, so the status is the last word
                if run.status in ACTIVE:  # a stop that came in meanwhile stands
                    self._emit_frame(run)
                    if outcome.diverged:
                        self._set_status(run, "diverged", outcome.diverged)
                    else:
                        self._set_status(run, "finished", outcome.finished)
            return None
        if run.train_seconds + elapsed > self.limits.max_run_seconds:
            with run.lock:
                if run.status in ACTIVE:
                    self._emit_frame(run)
                    self._set_status(
                        run,
                        "stopped",
                        f"reached the limit of {self.limits.max_run_seconds:g} s of training",
                    )
            return None
        if single:
            if run.steps_wanted == 0:
                self._emit_frame(run)
                return None
            return _CONTINUE
        per_frame = run.pace.steps_per_frame
        if per_frame is not None:
            run.chunk_left = (run.chunk_left or per_frame) - 1
            if run.chunk_left <= 0:
                # Paced: one chunk per frame tick; the next tick keeps the beat.
                run.next_tick = max(run.next_tick + 1 / run.pace.frames_per_second, now)
                if run.readers:
                    self._emit_frame(run)
                return run.next_tick
        elif run.readers and now >= run.next_frame_at:
            self._emit_frame(run)
        return _CONTINUE

    # --- housekeeping --------------------------------------------------------------------

    def sweep(self) -> None:
        """Stop abandoned runs and forget runs that ended long ago."""
        now = time.monotonic()
        for run in self.runs():
            idle = now - run.last_seen
            if (
                run.status in ACTIVE
                and not run.readers
                and idle > self.limits.abandoned_after_seconds
            ):
                with run.lock:
                    self._set_status(
                        run, "stopped", f"abandoned: nobody read or steered it for {idle:.0f} s"
                    )
            elif run.ended is not None and now - run.ended > self.limits.keep_finished_seconds:
                with self._lock:
                    self._runs.pop(run.id, None)

    # --- reading -------------------------------------------------------------------------

    def state(self, run: Run) -> dict[str, Any]:
        """The run as GET /api/v1/runs/{id} describes it."""
        trainer = run.trainer
        latest = run.history[-1] if run.history else {}
        return {
            "id": run.id,
            "status": run.status,
            "reason": run.reason,
            "flags": list(run.flags),
            "epoch": trainer.epoch,
            "step": trainer.step_count,
            "metrics": {**latest, "batch_loss": trainer.last.loss if trainer.last else None},
            "lr": run.pending_lr if run.pending_lr is not None else trainer.lr,
            "batch_size": trainer.batch_size,
            "frames_per_second": run.pace.frames_per_second,
            "steps_per_frame": run.pace.steps_per_frame,
            "train_seconds": round(run.train_seconds, 3),
            "last_event_id": run.log.last_id,
            "resolved": {
                "loss": trainer.loss_name,
                "output": trainer.spec.output,
                "features": trainer.features,
                "task": trainer.data.task,
                "n_classes": trainer.data.n_classes,
                "n_train": trainer.n_train,
                "n_val": len(trainer.val_idx),
                "parameters": sum(p.numel() for p in trainer.model.parameters()),
            },
        }

    def program(self, run: Run) -> dict[str, Any]:
        """The model on its latest batch as a Graph lab program (read between updates)."""
        with run.lock:  # consistent while paused (a running run may move between lines)
            return model_program(run.trainer)

    def points(self, run: Run) -> dict[str, Any]:
        """The run's data in its own units, split as it trains, for drawing points."""
        trainer = run.trainer
        return describe_points(trainer.data, train_idx=trainer.train_idx, val_idx=trainer.val_idx)
