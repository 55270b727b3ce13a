"""Strict JSON for long answers, written a slice at a time: json.dumps holds the GIL for its
whole call, so one 300,000-number answer encoded on a worker thread still stalls the event loop
for a tenth of a second or more. Here each json.dumps call encodes at most about SLICE numbers;
between calls the interpreter hands the GIL over, and the loop keeps routing. The bytes are
exactly those of strict_json.dumps."""

import json
from typing import Any

__all__ = ["dumps_sliced"]

SLICE = 2_000  # numbers per json.dumps call: well under a millisecond of GIL each


def _leaf(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError:
        from app.api.strict_json import encode_nonfinite  # strict_json imports this module

        return json.dumps(encode_nonfinite(value), allow_nan=False, separators=(",", ":"))


def _rough_size(value: Any) -> int:
    """About how many numbers `value` holds, judged by its first elements."""
    if isinstance(value, list | tuple):
        return len(value) * _rough_size(value[0]) if value else 1
    if isinstance(value, dict):
        return 1 + sum(_rough_size(v) for v in value.values())
    return 1


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            out.append(_leaf(value))  # json.dumps's own key conversion
            return
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + json.dumps(key) + ":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple) and value:
        if isinstance(value[0], dict):  # nodes, edges, history entries: each on its own
            out.append("[")
            for i, item in enumerate(value):
                if i:
                    out.append(",")
                _write(item, out)
            out.append("]")
            return
        step = max(1, SLICE // _rough_size(value[0]))
        if step >= len(value):
            out.append(_leaf(value))
            return
        slices = (_leaf(value[i : i + step])[1:-1] for i in range(0, len(value), step))
        out.append("[" + ",".join(slices) + "]")
    else:
        out.append(_leaf(value))


def dumps_sliced(content: Any) -> str:
    """Strict JSON of `content`, the same text as strict_json.dumps, encoded in short slices."""
    out: list[str] = []
    _write(content, out)
    return "".join(out)
