"""The strict-JSON response class (see app/strict_json.py for the encoding)."""

from typing import Any

from fastapi.responses import JSONResponse

from app.strict_json import dumps

__all__ = ["StrictJSONResponse", "dumps"]


class StrictJSONResponse(JSONResponse):
    """A JSON response that a browser's JSON.parse always accepts."""

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")
