"""A worker's turn on some runs: apply their commands, train them for one slice (together
when they share an architecture, see cohort.py), emit their frames and events, publish their
snapshots. Only the worker holding a run calls this, so nothing here takes a run's lock.

A run whose own update raises ends as `failed` with the error in its reason; when the raising
update was a cohort's shared pass, its runs are retried one by one so only the culprit fails.
"""

import logging
import time

import torch

from app.errors import ErrorType, UserError
from app.settings import TrainLimits
from app.train.cohort import step_together
from app.train.commands import Command, Pace
from app.train.run import Run
from app.train.run_state import ACTIVE, RESTING, Trigger, next_status
from app.train.trainer import StepOutcome

SLICE_SECONDS = 0.02  # a worker trains its runs this long before taking the next in line
MAX_REASON_CHARS = 300  # of an error's message quoted in a failed run's reason
_UPDATE = object()  # a run does an update now
_CONTINUE = object()  # a run goes on within the slice

log = logging.getLogger(__name__)


def emit_frame(run: Run) -> None:
    """Log what the pages draw now (the owner of the trainer only)."""
    run.log.append("frame", run.trainer.frame())
    run.next_frame_at = time.monotonic() + 1 / run.pace.frames_per_second


def failure_reason(exc: Exception, step: int) -> str:
    """A sentence for a run whose update raised `exc` after `step` updates."""
    if isinstance(exc, UserError):
        return exc.message
    text = (str(exc).strip().splitlines() or [""])[0][:MAX_REASON_CHARS]
    return (
        f"training failed at update {step + 1} with a PyTorch error, so this run cannot go on "
        f"(start a new one): {type(exc).__name__}: {text}"
    )


class Worker:
    """Takes turns on runs under one set of limits (the scheduler calls `take_turn`)."""

    def __init__(self, limits: TrainLimits) -> None:
        self.limits = limits

    def take_turn(self, runs: list[Run]) -> list[tuple[Run, float | None]]:
        """Train `runs` for one slice; for each, when it wants to go again (None: not until
        a command says so)."""
        started = time.monotonic()
        deadline = started + SLICE_SECONDS
        share = 1 / len(runs)  # runs trained together share the wall time
        done: list[tuple[Run, float | None]] = []
        active = list(runs)
        stepped: set[Run] = set()
        try:
            while active:
                now = time.monotonic()
                for run in list(active):
                    self.apply_commands(run)
                    wait = self._due(run, now)
                    if wait is not _UPDATE:
                        active.remove(run)
                        done.append((run, wait))  # type: ignore[arg-type]
                if not active:
                    break
                outcomes = self._update(active)
                now = time.monotonic()
                elapsed = (now - started) * share
                for run, outcome in zip(list(active), outcomes, strict=True):
                    stepped.add(run)
                    again = self._after(run, outcome, now, elapsed)
                    if again is _CONTINUE and now >= deadline:
                        again = now
                    if again is not _CONTINUE:
                        active.remove(run)
                        done.append((run, again))  # type: ignore[arg-type]
        finally:
            elapsed = (time.monotonic() - started) * share
            for run in runs:
                if run in stepped:
                    run.train_seconds += elapsed
                run.publish()
                run.log.notify()
        return done

    # --- commands ------------------------------------------------------------------------

    def apply_commands(self, run: Run) -> None:
        """Apply every queued command in order, publish the new state, then answer them."""
        if not run.commands:  # the common case, checked without taking the queue's lock
            return
        commands = run.commands.drain()
        answers: list[tuple[Command, object, Exception | None]] = []
        for command in commands:
            try:
                result = self._apply(run, command)
                if command.name != "read":  # its answer: the state right after it
                    run.publish()
                    result = run.snapshot
                answers.append((command, result, None))
            except UserError as exc:  # refused: the sender hears why
                answers.append((command, None, exc))
            except Exception as exc:
                if command.name == "read":  # a read went wrong: the run itself is fine
                    answers.append((command, None, exc))
                else:
                    self.fail(run, exc)
                    run.publish()
                    answers.append((command, run.snapshot, None))
        run.publish()
        run.log.notify()
        for command, result, error in answers:
            command.answer(result=result, error=error)

    def _apply(self, run: Run, command: Command) -> object:
        name = command.name
        if name == "read":
            assert command.read is not None
            return command.read(run.trainer)
        if name == "resume":
            was = run.status
            if was == "diverged" and not all(
                bool(torch.isfinite(p).all()) for p in run.trainer.model.parameters()
            ):
                raise UserError(
                    "the parameters are no longer finite numbers, so this run cannot go on: "
                    "start a new run with a smaller learning rate",
                    ErrorType.RUN_STATE,
                )
            self._enter(run, "resume", None)
            if was == "diverged":
                run.trainer.reset_divergence_watch()
        elif name == "pause":
            self._enter(run, "pause", "paused by request")
            run.steps_wanted = 0  # a pause also cancels single steps still queued
        elif name == "step":
            self._enter(run, "step", None)
            run.steps_wanted += command.count
        elif name == "stop":
            self._enter(run, "stop", "stopped by request")
        elif name == "abandon":
            self._enter(run, "abandon", command.reason)
        elif name == "change":
            self._enter(run, "change", None)
            if command.lr is not None:
                run.trainer.set_lr(command.lr)
            if command.batch_size is not None:
                run.trainer.set_batch_size(command.batch_size[0])
            if command.frames_per_second is not None or command.steps_per_frame is not None:
                run.pace = Pace(
                    frames_per_second=command.frames_per_second or run.pace.frames_per_second,
                    steps_per_frame=run.pace.steps_per_frame
                    if command.steps_per_frame is None
                    else command.steps_per_frame[0],
                )
                run.next_frame_at = run.next_tick = 0.0
                run.chunk_left = 0
        return None

    # --- status --------------------------------------------------------------------------

    def _enter(self, run: Run, trigger: Trigger, reason: str | None) -> None:
        """Move the run by the transition table; a run coming to rest draws its last frame
        first, so the status is the last word."""
        new = next_status(run.status, trigger)
        if new is None or new == run.status:
            return
        if new in RESTING:
            if new == "failed":
                try:
                    emit_frame(run)
                except Exception:  # the trainer is broken: the failure says it all
                    log.debug("no last frame for failed run %s", run.id, exc_info=True)
            else:
                emit_frame(run)
        run.status, run.reason = new, reason
        run.steps_wanted = 0
        if new not in ACTIVE:
            run.ended = time.monotonic()
        run.log.append("status", {"status": new, "reason": reason, "flags": run.flags})

    def fail(self, run: Run, exc: Exception) -> None:
        """End `run` as failed because its own training raised `exc` (logged in full)."""
        log.error("run %s failed", run.id, exc_info=exc)
        self._enter(run, "fail", failure_reason(exc, run.trainer.step_count))

    # --- training ------------------------------------------------------------------------

    def _due(self, run: Run, now: float) -> object:
        """_UPDATE when the run updates now, else when it wants to go again (or None)."""
        if run.status == "running":
            if run.pace.steps_per_frame is not None and now < run.next_tick:
                return run.next_tick  # woken early by a command: keep the beat
            return _UPDATE
        if run.status == "paused" and run.steps_wanted > 0:
            return _UPDATE
        return None

    def _update(self, runs: list[Run]) -> list[StepOutcome | Exception]:
        """One update of each run, together; the runs of a group whose shared update raised
        are each retried on their own, so only the culprit fails."""
        trainers = [run.trainer for run in runs]
        before = [(t.step_count, t.last_batch) for t in trainers]
        try:
            together = list(step_together(trainers))
        except Exception as exc:  # drawing the batches failed
            together = [exc] * len(runs)
        if len(runs) == 1 or not any(isinstance(o, Exception) for o in together):
            return together
        log.warning("a shared update of %d runs failed; retrying each alone", len(runs))
        outcomes: list[StepOutcome | Exception] = []
        for trainer, (count, batch), first in zip(trainers, before, together, strict=True):
            if not isinstance(first, Exception):
                outcomes.append(first)
                continue
            try:
                if trainer.step_count != count:  # the failed pass got past its update
                    raise RuntimeError("the update shared with other runs failed midway")
                drawn = trainer.last_batch
                if drawn is not None and drawn is not batch:  # retry on the rows it drew
                    outcomes.append(trainer.update_on(*drawn))
                else:
                    outcomes.append(trainer.step())
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    def _after(
        self, run: Run, outcome: StepOutcome | Exception, now: float, elapsed: float
    ) -> object:
        """Record an update and decide: go on (_CONTINUE), come back at a time, or rest."""
        try:
            if isinstance(outcome, Exception):
                raise outcome
            return self._after_update(run, outcome, now, elapsed)
        except Exception as exc:
            self.fail(run, exc)
            return None

    def _after_update(self, run: Run, outcome: StepOutcome, now: float, elapsed: float) -> object:
        single = run.status == "paused"
        self._record(run, outcome)
        if outcome.diverged or outcome.finished:
            if outcome.diverged:
                self._enter(run, "diverge", outcome.diverged)
            else:
                self._enter(run, "finish", outcome.finished)
            return None
        if run.train_seconds + elapsed > self.limits.max_run_seconds:
            limit = self.limits.max_run_seconds
            self._enter(run, "time_up", f"reached the limit of {limit:g} s of training")
            return None
        if single:
            run.steps_wanted -= 1
            if run.steps_wanted <= 0:
                emit_frame(run)
                return None
            return _CONTINUE
        per_frame = run.pace.steps_per_frame
        if per_frame is not None:
            run.chunk_left = (run.chunk_left or per_frame) - 1
            if run.chunk_left <= 0:
                # Paced: one chunk per frame tick; the next tick keeps the beat.
                run.next_tick = max(run.next_tick + 1 / run.pace.frames_per_second, now)
                if run.readers:
                    emit_frame(run)
                return run.next_tick
        elif run.readers and now >= run.next_frame_at:
            emit_frame(run)
        return _CONTINUE

    def _record(self, run: Run, outcome: StepOutcome) -> None:
        if outcome.history is not None:
            run.history.append(outcome.history)
            run.log.append("step", outcome.history)
        change = outcome.overfitting
        if change is not None:
            if change.flagged and "overfitting" not in run.flags:
                run.flags.append("overfitting")
            elif not change.flagged and "overfitting" in run.flags:
                run.flags.remove("overfitting")
            run.log.append(
                "status", {"status": run.status, "reason": change.reason, "flags": run.flags}
            )
