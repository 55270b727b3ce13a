"""API test helpers: a strict JSON reader and the one error shape every 4xx must have."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"not strict JSON: {token}")


def strict_json(response: httpx.Response) -> Any:
    """The body parsed as a browser's JSON.parse would: NaN and Infinity tokens are refused."""
    return json.loads(response.text, parse_constant=_refuse_constant)


def assert_error(response: httpx.Response, source: str | None = None) -> dict[str, Any]:
    """A 4xx with `{"error": {"type": str, "message": str, ...}}`; a position, when given, is
    consistent with `source`. Returns the error object."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    body = strict_json(response)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["type"], str) and error["type"]
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in error["message"]
    has_position = [k in error for k in ("line", "column", "span")]
    assert all(has_position) or not any(has_position), error
    if all(has_position):
        line, column, (start, end) = error["line"], error["column"], error["span"]
        assert isinstance(line, int) and isinstance(column, int) and line >= 1 and column >= 1
        assert 0 <= start <= end
        if source is not None:
            assert end <= len(source), (error, len(source))
            assert line == source.count("\n", 0, start) + 1
            assert column == start - (source.rfind("\n", 0, start) + 1) + 1
    return error


@pytest.fixture(autouse=True)
def _stop_leftover_runs(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each API test starts from a server with no run going: whatever a test left running is
    stopped after it, so no test depends on (or is capped by) another's leftovers."""
    yield
    if "api" not in request.fixturenames:
        return
    api: httpx.Client = request.getfixturevalue("api")
    for run in api.get("/api/v1/runs").json()["runs"]:
        if run["status"] in ("running", "paused", "diverged"):
            api.post(f"/api/v1/runs/{run['id']}/stop")
