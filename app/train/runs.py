"""The run registry: runs train in worker threads (never on the event loop), are steered by
commands between updates, stream their events, and are capped and cleaned up.

Who owns what (the one rule every change here keeps):

- The worker holding a run (see scheduler.py: a run is in one worker's hands at a time) owns
  its trainer and its status, reason, flags, history, pace and pacing fields (run.py lists
  them). It alone does torch work on the run, changes its status (by the table in
  run_state.py), appends its events, and replaces its snapshot.
- Everyone else (routes in the threadpool, the event loop, the housekeeping) steers a run
  only by putting a command (pause, resume, step, stop, abandon, lr / batch-size / pace
  changes, or a `read` of its trainer, such as the model as a program) in the run's queue
  (commands.py) and scheduling it; the worker drains the queue between two updates, applies
  the commands in order, publishes the new snapshot and answers them. A sender waits at most
  `command_answer_seconds` for that answer (never on the event loop: routes call these
  methods in the threadpool) and returns the state right after its command, or withdraws a
  command the worker has not taken (so it never applies) and says so: commands.py lists the
  outcome rules. A command for a run out of line goes to the front of the line.
- Readers only read: what they return comes from the snapshot (`state`), the append-only
  history and the event log. They own two fields of their own: `last_seen` and `readers`.
  The housekeeping and the caps may glance at single worker-owned values (`status`, `ended`)
  to decide what to send; they never change a run, only forget ended ones.

The creator owns a run until it is registered and scheduled. Worker threads (one by default:
small runs are bound by the GIL, see app/settings.py) share all runs; a paused run is out of
line and costs no CPU.
"""

import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from app.errors import ErrorType, LimitError, UserError
from app.graph.optimizers import MAX_LR
from app.settings import TrainLimits
from app.train.commands import Command, Pace
from app.train.datasets import describe_points
from app.train.events import EventEncoder, EventLog
from app.train.program import model_program
from app.train.run import Run
from app.train.run_state import ACTIVE, Status
from app.train.scheduler import Scheduler
from app.train.trainer import TrainConfig, Trainer
from app.train.worker import Worker, emit_frame

__all__ = ["ACTIVE", "Pace", "Run", "RunRegistry", "Status"]

T = TypeVar("T")

MAX_COHORT = 64  # runs of one architecture trained together in one batched pass
ANSWER_SECONDS = 1.0  # longest wait of the housekeeping for its abandon commands, all told
READ_SECONDS = 5.0  # longest wait for the worker to answer a read of a run's trainer

log = logging.getLogger(__name__)


class RunRegistry:
    """All runs of this process, and the worker threads that train them."""

    def __init__(self, limits: TrainLimits, *, encode_event: EventEncoder) -> None:
        self.limits = limits
        self.encode_event = encode_event  # the edge's wire format, applied on the worker
        self._runs: dict[str, Run] = {}
        self._worker = Worker(limits)
        self._scheduler: Scheduler[Run] = Scheduler(
            threads=limits.worker_threads,
            take_turn=self._worker.take_turn,
            cohort_of=lambda run: run.trainer.signature,
            max_cohort=MAX_COHORT,
            housekeeping=self.sweep,
            housekeeping_every=limits.sweep_every_seconds,
        )
        self._lock = threading.Lock()
        # Owners that created runs, least recently used first (at most limits.max_tokens; an
        # owner of a run still held is known even after it is forgotten here).
        self._owners: OrderedDict[str, None] = OrderedDict()

    def close(self) -> None:
        """Stop the workers (runs stay readable)."""
        self._scheduler.close()

    def create(
        self,
        config: TrainConfig,
        *,
        pace: Pace | None = None,
        start: bool = True,
        owner: str | None = None,
    ) -> Run:
        """Build a run (data, model, optimizer) and start it; raises on a bad configuration.
        `owner` is an opaque key of who may steer it (the registry only stores and compares
        it)."""
        self.sweep()
        self._check_room()
        pace = pace or Pace()
        self._check_pace(pace)
        trainer = Trainer(config, self.limits)
        run = Run(
            id=uuid.uuid4().hex,  # 122 random bits: knowing the id is the right to read
            config=config,
            trainer=trainer,
            pace=pace,
            log=EventLog(frame_ring=self.limits.frame_ring, encode=self.encode_event),
            resolved={
                "loss": trainer.loss_name,
                "output": trainer.spec.output,
                "features": trainer.features,
                "task": trainer.data.task,
                "n_classes": trainer.data.n_classes,
                "n_train": trainer.n_train,
                "n_val": len(trainer.val_idx),
                "parameters": sum(p.numel() for p in trainer.model.parameters()),
            },
            status="running" if start else "paused",
            owner=owner,
        )
        emit_frame(run)  # no worker knows the run yet: its creator owns it
        run.log.append("status", {"status": run.status, "reason": None, "flags": run.flags})
        run.publish()
        with self._lock:  # checked again: another create may have come in meanwhile
            self._check_room()
            if len(self._runs) >= self.limits.max_stored_runs:
                ended = [r for r in self._runs.values() if r.ended is not None]
                if not ended:
                    raise LimitError(f"the server holds {len(self._runs)} runs; try again later")
                oldest = min(ended, key=lambda r: r.ended or 0.0)
                del self._runs[oldest.id]  # the longest-ended run makes room
            self._runs[run.id] = run
            if owner is not None:
                self._owners[owner] = None
                self._owners.move_to_end(owner)
                while len(self._owners) > self.limits.max_tokens:
                    self._owners.popitem(last=False)
        if start:
            self._scheduler.schedule(run)
        return run

    def _check_room(self) -> None:
        active = sum(r.status in ACTIVE for r in list(self._runs.values()))
        if active >= self.limits.max_active_runs:
            raise LimitError(
                f"{active} runs are already going (the limit is {self.limits.max_active_runs}); "
                "stop one first"
            )

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

    def owned_by(self, owner: str) -> list[Run]:
        """The runs held that `owner` created, oldest first."""
        return [run for run in self.runs() if run.owner == owner]

    def knows_owner(self, owner: str) -> bool:
        """Whether `owner` created a run of this registry that it still remembers."""
        with self._lock:
            if owner in self._owners:
                self._owners.move_to_end(owner)
                return True
            return any(run.owner == owner for run in self._runs.values())

    def delete(self, run_id: str) -> None:
        """Stop the run if it has not ended, and forget it (its id answers 404 from now)."""
        run = self.get(run_id)
        if run.status in ACTIVE:  # never withdrawn: the worker stops it even if it is late
            self._send(run, Command("stop")).wait(self.limits.command_answer_seconds)
        with self._lock:
            self._runs.pop(run.id, None)

    # --- commands (each waits briefly for the worker's answer: call them off the loop) ----

    def pause(self, run_id: str) -> dict[str, Any]:
        """Stop updating after the current one; the run can resume or step. Each command
        returns the run's state right after it (commands.py has the outcome rules)."""
        return self._command(self.get(run_id), Command("pause"))

    def resume(self, run_id: str) -> dict[str, Any]:
        """Continue a paused (or diverged, if its parameters are still finite) run."""
        return self._command(self.get(run_id), Command("resume"))

    def step(self, run_id: str, *, count: int = 1) -> dict[str, Any]:
        """Perform `count` updates of a paused run, then stay paused."""
        run = self.get(run_id)
        if not 1 <= count <= 10_000:
            raise UserError("count must be 1 to 10000", ErrorType.LIMIT_EXCEEDED)
        return self._command(run, Command("step", count=count))

    def stop(self, run_id: str) -> dict[str, Any]:
        """End the run for good (the worker draws its last frame); it stays readable."""
        return self._command(self.get(run_id), Command("stop"))

    def change(
        self,
        run_id: str,
        *,
        lr: float | None = None,
        batch_size: tuple[int | None] | None = None,
        frames_per_second: float | None = None,
        steps_per_frame: tuple[int | None] | None = None,
    ) -> dict[str, Any]:
        """Live changes: learning rate (next update), batch size (next epoch), pace (now); a
        pace field not given stays as the worker finds it (never as a route last read it)."""
        run = self.get(run_id)
        if lr is not None and not (math.isfinite(lr) and 0 < lr <= MAX_LR):
            raise UserError(
                "lr must be a positive number (at most 1e6)", ErrorType.INVALID_OPTIMIZER
            )
        if batch_size is not None and batch_size[0] is not None and batch_size[0] < 1:
            raise UserError(
                "batch_size must be at least 1 (or null for the whole set)",
                ErrorType.LIMIT_EXCEEDED,
            )
        if frames_per_second is not None or steps_per_frame is not None:
            self._check_pace(
                Pace(
                    frames_per_second=frames_per_second or 1.0,
                    steps_per_frame=steps_per_frame[0] if steps_per_frame else None,
                )
            )
        command = Command(
            "change",
            lr=lr,
            batch_size=batch_size,
            frames_per_second=frames_per_second,
            steps_per_frame=steps_per_frame,
        )
        return self._command(run, command)

    def _check_pace(self, pace: Pace) -> None:
        if not 0.1 <= pace.frames_per_second <= self.limits.max_frames_per_second:
            raise LimitError(
                "frames_per_second must be at least 0.1 and at most "
                f"{self.limits.max_frames_per_second}"
            )
        if pace.steps_per_frame is not None and not 1 <= pace.steps_per_frame <= 100_000:
            raise LimitError("steps_per_frame must be 1 to 100000 (or null: as fast as possible)")

    def _send(self, run: Run, command: Command) -> Command:
        run.commands.put(command)  # queued before scheduling, so the worker finds it
        self._scheduler.schedule(run, urgent=True)
        return command

    def _await(self, run: Run, command: Command, seconds: float) -> bool:
        """Wait for the answer; on time out withdraw the command if the worker has not taken
        it (False: it will never apply), else wait for the answer that follows (True)."""
        if command.wait(seconds):
            return True
        if run.commands.withdraw(command):
            return False
        # Taken: the worker answers as soon as it has applied the commands drained with it
        # (a read among them may take a few seconds); a worker later still is a bug, logged.
        if not command.wait(2 * READ_SECONDS):
            log.error("run %s: a %s command was taken but not answered", run.id, command.name)
        return True

    def _command(self, run: Run, command: Command) -> dict[str, Any]:
        """Send `command`, wait for the worker's answer and return the state right after it;
        raise its refusal, or that it was withdrawn unapplied."""
        seconds = self.limits.command_answer_seconds
        self._send(run, command)
        if not self._await(run, command, seconds):
            raise UserError(
                f"the run did not take the {command.name} command within {seconds:g} s (the "
                "server is busy), so it was not applied: send it again",
                ErrorType.RUN_STATE,
            )
        if command.error is not None:
            raise command.error
        answered = isinstance(command.result, dict)  # else late (logged): the state as is
        state: dict[str, Any] = command.result if answered else run.snapshot
        return state

    # --- housekeeping --------------------------------------------------------------------

    def sweep(self) -> None:
        """Stop abandoned runs and forget runs that ended long ago."""
        now = time.monotonic()
        sent: list[Command] = []
        for run in self.runs():
            idle = now - run.last_seen
            if (
                run.status in ACTIVE
                and not run.readers
                and idle > self.limits.abandoned_after_seconds
            ):
                reason = f"abandoned: nobody read or steered it for {idle:.0f} s"
                sent.append(self._send(run, Command("abandon", reason=reason)))
            elif run.ended is not None and now - run.ended > self.limits.keep_finished_seconds:
                with self._lock:
                    self._runs.pop(run.id, None)
        if not self._scheduler.on_worker_thread():  # a worker must not wait for itself
            deadline = time.monotonic() + ANSWER_SECONDS  # one wait for all, not one each
            for command in sent:
                command.wait(max(0.0, deadline - time.monotonic()))

    def settled(self, run: Run) -> bool:
        """No command waits, no single step is left and no worker holds or awaits the run."""
        return not run.commands and run.steps_wanted == 0 and not self._scheduler.holds(run)

    # --- reading -------------------------------------------------------------------------

    def state(self, run: Run) -> dict[str, Any]:
        """The run as GET /api/v1/runs/{id} describes it (its latest published snapshot)."""
        return run.snapshot

    def read(self, run: Run, read: Callable[[Trainer], T], seconds: float = READ_SECONDS) -> T:
        """`read(trainer)` computed by the worker between two updates (torch work on a trainer
        that does not move meanwhile); call it off the event loop."""
        command = self._send(run, Command("read", read=read))
        if not self._await(run, command, seconds):
            raise UserError("the run is busy; ask again in a moment", ErrorType.RUN_STATE)
        if not command.wait(0):
            raise UserError("the run is busy; ask again in a moment", ErrorType.RUN_STATE)
        if command.error is not None:
            raise command.error
        result: T = command.result
        return result

    def program(self, run: Run) -> dict[str, Any]:
        """The model on its latest batch as a Graph lab program."""
        return self.read(run, model_program)

    def points(self, run: Run) -> dict[str, Any]:
        """The run's data in its own units, split as it trains, for drawing points (fixed at
        creation, so any thread may read it)."""
        trainer = run.trainer
        return describe_points(trainer.data, train_idx=trainer.train_idx, val_idx=trainer.val_idx)
