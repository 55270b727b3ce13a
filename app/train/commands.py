"""A run's command queue: any thread puts, only the worker that holds the run drains.

A command carries its own answer: the worker applies it between two updates, publishes the
run's new state, then answers; the sender may wait for that (bounded) to return a state that
already reflects it, or to get the refusal.
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

    def drain(self) -> list[Command]:
        """Every queued command, oldest first, leaving the queue empty (the worker only)."""
        with self._lock:
            taken = list(self._queue)
            self._queue.clear()
        return taken

    def __len__(self) -> int:
        return len(self._queue)
