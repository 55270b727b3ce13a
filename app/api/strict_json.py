"""Strict JSON, the API's one wire format for numbers: non-finite numbers travel as the strings
"NaN", "Infinity" and "-Infinity", so every answer and every stream event parses with a
browser's JSON.parse; and the response class that writes it."""

import json
import math
from typing import Any

from fastapi.responses import JSONResponse

from app.api.long_json import dumps_sliced

__all__ = ["StrictJSONResponse", "dumps", "encode_nonfinite"]


def encode_nonfinite(value: Any) -> Any:
    """Replace every non-finite float inside `value` by its string spelling."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: encode_nonfinite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_nonfinite(v) for v in value]
    return value


def dumps(content: Any) -> str:
    """Serialize to strict JSON; the walk that encodes non-finite numbers runs only when needed."""
    try:
        return json.dumps(content, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(encode_nonfinite(content), allow_nan=False, separators=(",", ":"))


class StrictJSONResponse(JSONResponse):
    """A JSON response that a browser's JSON.parse always accepts."""

    def render(self, content: Any) -> bytes:
        # Sliced: a long answer rendered on a worker thread must not hold the GIL throughout.
        return dumps_sliced(content).encode("utf-8")
