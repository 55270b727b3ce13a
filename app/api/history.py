"""A run's history as strict JSON bytes, encoded once in fixed blocks: the history only grows,
so a complete block never changes, and a page is its cached blocks joined with at most two
partial blocks encoded fresh. Encoding runs on a worker thread, one short block at a time (each
json.dumps holds the GIL only for one block), so readers of a 20,000-entry history neither
re-encode it nor stall the event loop."""

import threading
import weakref
from typing import Any

from app.api.strict_json import dumps

__all__ = ["history_page"]

# Per run (by identity: a forgotten run takes its blocks with it), its complete blocks so far.
_blocks: "weakref.WeakKeyDictionary[Any, list[bytes]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()  # two readers of one new block encode it once


def _encode(entries: list[dict[str, Any]]) -> bytes:
    """Entries as the inside of a JSON array (no brackets)."""
    return dumps(entries)[1:-1].encode()


def _complete_blocks(run: Any, history: list[dict[str, Any]], size: int, upto: int) -> list[bytes]:
    """The run's encoded complete blocks, at least those below entry `upto`."""
    with _lock:
        blocks = _blocks.setdefault(run, [])
        while (len(blocks) + 1) * size <= upto:
            start = len(blocks) * size
            blocks.append(_encode(history[start : start + size]))
        return blocks


def history_page(run: Any, since: int, limit: int, block: int) -> bytes:
    """The answer of GET /runs/{id}/history: entries after epoch `since`, at most `limit`."""
    history: list[dict[str, Any]] = run.history  # append-only: a length read once is a prefix
    count = len(history)
    start, end = min(since, count), min(since + limit, count)
    first_full = -(-start // block)  # the first block boundary at or after start
    last_full = end // block  # the block boundary at or before end
    parts: list[bytes] = []
    if first_full < last_full:
        blocks = _complete_blocks(run, history, block, last_full * block)
        if start < first_full * block:
            parts.append(_encode(history[start : first_full * block]))
        parts.extend(blocks[first_full:last_full])
        if last_full * block < end:
            parts.append(_encode(history[last_full * block : end]))
    elif start < end:
        parts.append(_encode(history[start:end]))
    following = str(end).encode() if end < count else b"null"
    return b'{"steps":[' + b",".join(p for p in parts if p) + b'],"next":' + following + b"}"
