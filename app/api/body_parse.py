"""What the body parser process runs: JSON text → plain values, with a program's tensor values
as numpy arrays (one buffer each, so handing them back to the server costs a copy, not millions
of Python floats built under the server's GIL). Imports nothing of the app: it is the whole of
what the parser process loads."""

import json
import math
import os
import threading
import time
from typing import Any

import numpy as np

_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

# What `parse_body` answers: ("ok", document), ("json_invalid", (position, message)),
# ("too_deep", None) or ("invalid_value", (name, message)).
Parsed = tuple[str, Any]


def _spell(value: Any) -> Any:
    """Nested lists with the non-finite spellings as floats; any other string raises."""
    if isinstance(value, list):
        return [_spell(v) for v in value]
    if isinstance(value, str):
        if value in _NONFINITE:
            return _NONFINITE[value]
        raise ValueError(f"'{value}' is not a number")
    return value


def _array(value: list[Any]) -> np.ndarray:
    """A rectangular list of numbers as a float64 array (what torch.tensor takes as is)."""
    array = np.array(value)
    if array.dtype.kind in "USO":  # strings (maybe "NaN"), ragged or mixed: spell, then retry
        array = np.array(_spell(value))
    if array.dtype.kind not in "iuf":  # booleans are not numbers, as in the schema
        raise ValueError("it is not a rectangular array of numbers")
    return array.astype(np.float64, copy=False)


def watch_parent() -> None:
    """Exit when the server that started this process is gone (the pool's initializer): a
    server killed without its shutdown must not leave its parser running forever."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def parse_body(body: bytes, tensor_values: bool) -> Parsed:
    """Parse a JSON body; with `tensor_values`, each list in its `values` becomes an array."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError as exc:
        return "json_invalid", (exc.pos, exc.msg)
    except RecursionError:
        return "too_deep", None
    except ValueError as exc:  # not UTF-8, or an integer of more digits than Python converts
        return "json_invalid", (0, str(exc).splitlines()[0])
    values = document.get("values") if isinstance(document, dict) else None
    if tensor_values and isinstance(values, dict):
        for name, value in values.items():
            if not isinstance(value, list):
                continue  # numbers, and the wrong types the schema and the core explain
            try:
                values[name] = _array(value)
            except (ValueError, TypeError, OverflowError, RecursionError) as exc:
                return "invalid_value", (str(name), str(exc))
    return "ok", document
