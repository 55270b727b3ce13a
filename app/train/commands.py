"""A run's command queue: any thread puts, only the worker that holds the run drains.

A command carries its own answer: the worker applies it between two updates, publishes the
run's new state, then answers with that state; the sender waits for it (bounded) so what it
returns is the state right after its command, or the refusal.

The outcome rules (what every steering request can count on):

1. One queue per run: commands apply one at a time, in the order they were queued, between
   two updates (never during one), whichever clients sent them. A request's answer is the
   run's state right after its own command (later commands have not applied yet).
2. A command is applied or it is not, and the answer says which: a sender that gets no answer
   within `command_answer_seconds` withdraws its command; if the worker had not taken it yet
   it never applies and the request answers 422 `run_state` ("send it again"), else the
   sender waits for the answer, which comes right after the worker applies it.
3. `step n` on a paused run performs exactly n more updates (steps add up: two `step 3` make
   six), then the run stays paused; on any other status it is refused (422 `run_state`).
4. `pause` stops updating at once (the run is paused before the next update) and cancels the
   single steps still to do; a paused run never moves except for the steps asked after its
   pause. Pausing a paused run changes nothing else (its step counter stays).
5. `resume` continues a paused run (single steps still to do are dropped: it trains freely);
   resuming a running run changes nothing; a diverged run resumes only while its parameters
   are finite; an ended run refuses.
6. `stop` is final: the run ends as `stopped` (its last frame, then its status, are the last
   events) and every later command but reading is refused or does nothing.
7. PATCH `lr` applies from the next update, `batch_size` from the next epoch, the pace at once;
   fields not given stay as the worker finds them. It changes neither status nor steps.
8. A status the worker reaches by itself (finished, diverged, failed, stopped at the time
   limit) ends outstanding single steps like a pause does.
"""

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

CommandName = Literal["pause", "resume", "step", "stop", "change", "abandon", "read"]


@dataclass
class Pace:
    """How fast a run goes and how often it is drawn (changeable while it runs)."""

    frames_per_second: float = 10.0  # frames streamed per second while someone reads
    steps_per_frame: int | None = None  # updates between frames; None = as fast as possible


@dataclass(eq=False)
class Command:
    """One request for the worker, with the worker's answer once it is applied."""

    name: CommandName
    count: int = 0  # updates asked for by `step`
    lr: float | None = None  # `change`: the new learning rate (from the next update)
    batch_size: tuple[int | None] | None = None  # `change`: (size,), None = whole set
    # `change`: the new pace (now), field by field, so two changes sent at once both hold.
    frames_per_second: float | None = None
    steps_per_frame: tuple[int | None] | None = None  # (updates,), None = as fast as possible
    reason: str | None = None  # `abandon`: why, in words
    read: Callable[[Any], Any] | None = None  # `read`: called with the trainer between updates
    result: Any = None  # what the worker answered (`read`: what `read` returned)
    error: Exception | None = None  # why the worker refused or could not apply it
    _answered: threading.Event = field(default_factory=threading.Event)

    def answer(self, *, result: Any = None, error: Exception | None = None) -> None:
        """Record the outcome and wake the sender (worker only)."""
        self.result, self.error = result, error
        self._answered.set()

    def wait(self, seconds: float) -> bool:
        """Wait at most `seconds` for the answer; True when it came."""
        return self._answered.wait(seconds)


class CommandQueue:
    """Commands of one run in the order they came."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Command] = deque()

    def put(self, command: Command) -> None:
        """Queue a command (any thread)."""
        with self._lock:
            self._queue.append(command)

    def withdraw(self, command: Command) -> bool:
        """Take `command` back if the worker has not taken it yet (True: it will never apply)."""
        with self._lock:
            try:
                self._queue.remove(command)
            except ValueError:
                return False
            return True

    def drain(self) -> list[Command]:
        """Every queued command, oldest first, leaving the queue empty (the worker only)."""
        with self._lock:
            taken = list(self._queue)
            self._queue.clear()
        return taken

    def __len__(self) -> int:
        return len(self._queue)
