"""One error shape for every 4xx, with line, column and span when the program text is at fault."""

import json
import socket
from typing import Any

import httpx
import pytest

from tests.api.conftest import assert_error

EVALUATE = "/api/v1/graphs/evaluate"
OPTIMIZE = "/api/v1/graphs/optimize"

# (program, values, status, type, line, column, span)
PROGRAM_ERRORS: list[tuple[str, dict[str, Any], int, str, int, int, list[int]]] = [
    ("z = sinn(x)", {"x": 1}, 422, "program_error", 1, 5, [4, 8]),
    ("d = a\nz = d +", {"a": 1}, 422, "syntax_error", 2, 7, [12, 13]),
    ("z = a +", {"a": 1}, 422, "syntax_error", 1, 7, [6, 7]),
    ("z = a\nz = 2", {"a": 1}, 422, "program_error", 2, 1, [6, 7]),
    ("z = a + b", {"a": [1, 2, 3], "b": [1, 2]}, 422, "shape_error", 1, 5, [4, 9]),
    ("y = 1\nz = m @ w", {"m": [[1, 2]], "w": [[1, 2]]}, 422, "shape_error", 2, 5, [10, 15]),
    ("z = bce(p, t)", {"p": [2.0], "t": [1.0]}, 422, "value_error", 1, 5, [4, 13]),
]


@pytest.mark.parametrize(
    ("source", "values", "status", "type_", "line", "column", "span"), PROGRAM_ERRORS
)
def test_program_errors_carry_their_position(
    api: httpx.Client,
    source: str,
    values: dict[str, Any],
    status: int,
    type_: str,
    line: int,
    column: int,
    span: list[int],
) -> None:
    response = api.post(EVALUATE, json={"source": source, "values": values})
    assert response.status_code == status
    error = assert_error(response, source)
    assert (error["type"], error["line"], error["column"], error["span"]) == (
        type_,
        line,
        column,
        span,
    )


# (method, path, body or raw bytes, status, type)
REQUEST_ERRORS: list[tuple[str, str, Any, int, str]] = [
    ("POST", EVALUATE, {"values": {}}, 422, "invalid_request"),
    ("POST", EVALUATE, {"source": 1}, 422, "invalid_request"),
    ("POST", EVALUATE, {"source": "z = a", "values": []}, 422, "invalid_request"),
    ("POST", EVALUATE, {"source": "z = a", "dtype": "float16"}, 422, "invalid_request"),
    ("POST", EVALUATE, {"source": "z = a", "surprise": 1}, 422, "invalid_request"),
    ("POST", EVALUATE, {"source": "z = a"}, 422, "missing_value"),
    ("POST", EVALUATE, {"source": "z = a", "values": {"a": 1, "q": 2}}, 422, "unknown_value"),
    ("POST", EVALUATE, {"source": "z = a", "values": {"a": 1, "z": 2}}, 422, "unknown_value"),
    ("POST", EVALUATE, {"source": "z = a", "values": {"a": [[1], [1, 2]]}}, 422, "invalid_value"),
    ("POST", EVALUATE, {"source": "z = a", "values": {"a": ["one"]}}, 422, "invalid_request"),
    ("POST", EVALUATE, {"source": "z = a", "values": {"a": True}}, 422, "invalid_request"),
    ("POST", EVALUATE, {"source": "z = a", "values": {"a": []}}, 422, "invalid_value"),
    (
        "POST",
        EVALUATE,
        {"source": "z = a", "values": {"a": 1}, "output": "q"},
        422,
        "unknown_output",
    ),
    ("POST", EVALUATE, {"source": "# nothing"}, 422, "empty_program"),
    ("POST", EVALUATE, b"{not json", 422, "invalid_request"),
    ("POST", EVALUATE, b"", 422, "invalid_request"),
    ("POST", EVALUATE, b"[]", 422, "invalid_request"),
    ("POST", OPTIMIZE, {"source": "loss = w*w", "values": {"w": 1}}, 422, "invalid_request"),
    (
        "POST",
        OPTIMIZE,
        {"source": "loss = w*w", "values": {"w": 1}, "params": ["w"], "optimizer": {"name": "x"}},
        422,
        "invalid_optimizer",
    ),
    ("GET", "/api/v1/nothing-here", None, 404, "not_found"),
    ("GET", EVALUATE, None, 405, "method_not_allowed"),
    ("DELETE", "/api/v1/ops", None, 405, "method_not_allowed"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "type_"), REQUEST_ERRORS)
def test_request_errors_have_the_one_shape(
    api: httpx.Client, method: str, path: str, body: Any, status: int, type_: str
) -> None:
    if isinstance(body, bytes):
        response = api.request(
            method, path, content=body, headers={"content-type": "application/json"}
        )
    else:
        response = api.request(method, path, json=body)
    assert response.status_code == status, response.text
    error = assert_error(response, body.get("source") if isinstance(body, dict) else None)
    assert error["type"] == type_


def test_a_declared_content_length_over_the_limit_is_refused_before_reading(
    api: httpx.Client,
) -> None:
    limit = api.get("/api/v1/limits").json()["max_request_bytes"]["value"]
    url = httpx.URL(str(api.base_url))
    head = (
        f"POST {EVALUATE} HTTP/1.1\r\nHost: {url.host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {limit + 1}\r\nConnection: close\r\n\r\n{{}}"
    )
    with socket.create_connection((url.host, url.port), timeout=10) as conn:
        conn.sendall(head.encode())
        raw = b""
        while chunk := conn.recv(65536):
            raw += chunk
    status_line, _, rest = raw.partition(b"\r\n")
    assert b" 413 " in status_line
    body = rest.split(b"\r\n\r\n", 1)[1]  # possibly chunked: the JSON is one chunk
    error = json.loads(body[body.index(b"{") : body.rindex(b"}") + 1])["error"]
    assert error["type"] == "request_too_large" and error["message"]


# Requests that answered 500 when these tests were written; now clean 4xx answers.
SERVER_ERRORS = [
    pytest.param(
        EVALUATE,
        {"source": "z = a", "values": {"a": [1.0]}, "nudge": {"input": "a", "index": [10**30]}},
        id="nudge-index-overflow",
    ),
    pytest.param(
        OPTIMIZE,
        {"source": "u = w\nloss = c*c", "values": {"w": 1, "c": 2}, "params": ["w"]},
        id="objective-without-params",  # fixed in 15f839b
    ),
    pytest.param(
        OPTIMIZE,
        {
            "source": "loss = w*w",
            "values": {"w": 1},
            "params": ["w"],
            "optimizer": {"name": "sgd", "lr": 0.1, "weight_decay": 1e308},
        },
        id="weight-decay-overflows-float32",
    ),
]


@pytest.mark.parametrize(("path", "body"), SERVER_ERRORS)
def test_requests_that_once_caused_a_500(api: httpx.Client, path: str, body: Any) -> None:
    with httpx.Client(base_url=str(api.base_url), timeout=30) as fresh:
        response = fresh.post(path, json=body)
    if response.status_code == 200:
        return
    assert_error(response, body.get("source"))
