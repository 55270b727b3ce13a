"""A run's event log: what an SSE reader replays after `Last-Event-ID`, in bounded memory.

`step` and `status` events are kept in full (their number is bounded by the epoch cap); `frame`
events are snapshots, so only the latest few are kept in a ring: a reader that falls behind
skips superseded frames but never misses or repeats a step or a status.
"""

import asyncio
import bisect
import heapq
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# (id, kind, payload) → the event's bytes on the wire; the edge supplies it (app/api/sse.py).
EventEncoder = Callable[[int, str, object], str]


@dataclass(frozen=True)
class Event:
    """One Server-Sent Event, already encoded (so readers share the bytes, never copy them)."""

    id: int
    kind: str  # step, frame or status
    text: str  # as the edge's encoder wrote it, e.g. "id: …\nevent: …\ndata: …\n\n"


class EventLog:
    """Append from a worker thread; read from the event loop with `since` and `wait`."""

    def __init__(self, *, frame_ring: int, encode: EventEncoder) -> None:
        self._encode = encode
        self._lock = threading.Lock()
        self._kept: list[Event] = []
        self._kept_ids: list[int] = []
        self._frames: deque[Event] = deque(maxlen=frame_ring)
        self._next_id = 1
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._unseen = False

    @property
    def last_id(self) -> int:
        """The id of the newest event (0 before the first)."""
        return self._next_id - 1

    def append(self, kind: str, payload: object) -> int:
        """Encode and store an event; readers are woken by `notify`."""
        with self._lock:
            event_id = self._next_id
            self._next_id += 1
            event = Event(event_id, kind, self._encode(event_id, kind, payload))
            if kind == "frame":
                self._frames.append(event)
            else:
                self._kept.append(event)
                self._kept_ids.append(event_id)
            self._unseen = True
        return event_id

    def since(self, last_id: int, *, limit: int = 1_000) -> list[Event]:
        """Events after `last_id` in id order: every step and status, the frames still kept."""
        with self._lock:
            start = bisect.bisect_right(self._kept_ids, last_id)
            kept = self._kept[start : start + limit]
            frames = [f for f in self._frames if f.id > last_id]
        merged = list(heapq.merge(kept, frames, key=lambda e: e.id))
        if len(kept) == limit:  # more steps wait: do not jump a frame past them
            merged = [e for e in merged if e.id <= kept[-1].id]
        return merged[:limit]

    def subscribe(self) -> asyncio.Event:
        """An asyncio.Event (of the running loop) set whenever new events are notified."""
        flag = asyncio.Event()
        with self._lock:
            self._waiters.add((asyncio.get_running_loop(), flag))
        return flag

    def unsubscribe(self, flag: asyncio.Event) -> None:
        """Stop waking `flag`."""
        with self._lock:
            self._waiters = {w for w in self._waiters if w[1] is not flag}

    def notify(self) -> None:
        """Wake every subscribed reader once if something was appended since the last call."""
        with self._lock:
            if not self._unseen:
                return
            self._unseen = False
            waiters = list(self._waiters)
        for loop, flag in waiters:
            try:
                loop.call_soon_threadsafe(flag.set)
            except RuntimeError:  # that loop has closed; the reader is gone
                self.unsubscribe(flag)
