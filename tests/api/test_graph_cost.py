"""Cost before work, against the real server: a program over a limit is refused at its node in
well under a second without the server growing, and evaluation and gradient descent answer
within their wall limits plus a small margin (servers of their own, limits set through env)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, _free_port

EVAL_SECONDS = 0.25  # the lenient server's evaluation limit
OPTIMIZE_SECONDS = 1.0  # both servers' gradient-descent limit
MARGIN = 1.0  # seconds an answer may come after its limit (the brief's bound)


class Server:
    """A `python -m app` process with its own limits, and its memory as the kernel counts it."""

    def __init__(self, env: dict[str, str]) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app"],
            cwd=ROOT,
            env={**os.environ, "GRADPLAY_PORT": str(port), "GRADPLAY_HOST": "127.0.0.1", **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/limits", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def memory_kb(self, field: str) -> int:
        """VmRSS (now) or VmHWM (the peak so far) of the server process, in kB."""
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise AssertionError(f"no {field} in /proc/{self.proc.pid}/status")

    def post(self, path: str, body: dict[str, Any]) -> tuple[httpx.Response, float]:
        """The answer and its seconds from sending to the last byte."""
        start = time.perf_counter()
        response = self.client.post(path, json=body)
        return response, time.perf_counter() - start

    def close(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """The default limits, but a 1 s gradient descent."""
    s = Server({"GRADPLAY_MAX_OPTIMIZE_SECONDS": str(OPTIMIZE_SECONDS)})
    yield s
    s.close()


@pytest.fixture(scope="module")
def lenient() -> Iterator[Server]:
    """Answers and memory unbounded but a 0.25 s evaluation: only the clock can stop it."""
    s = Server(
        {
            "GRADPLAY_MAX_EVAL_SECONDS": str(EVAL_SECONDS),
            "GRADPLAY_MAX_ANSWER_NUMBERS": str(10**10),
            "GRADPLAY_MAX_EVAL_BYTES": str(10**10),
            "GRADPLAY_MAX_GRAPH_ELEMENTS": str(10**9),
        }
    )
    yield s
    s.close()


def outer(n: int, m: int) -> dict[str, Any]:
    """A column and a row whose product `c @ r` is n×m: a big tensor from a small body."""
    return {"c": [[0.01]] * n, "r": [[0.01] * m]}


def issue_program() -> str:
    """The issue's 19 KB program: a 2000×1 column times a 1×1000 row, nine more 2M-element
    nodes, then scalar statements (and comments) up to 19 KB."""
    lines = ["m0 = c @ r"] + [f"m{k} = tanh(m{k - 1} * 1.5 + 0.25)" for k in range(1, 10)]
    lines.append("s0 = mean(m9)")
    k = 1
    while sum(len(line) + 1 for line in lines) < 19_000:
        lines.append(f"s{k} = s{k - 1} * 0.999 + 0.001  # a slow decay, step {k} of many")
        k += 1
    return "\n".join(lines)


def assert_limit_at(response: httpx.Response, source: str, node: str, fragment: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "limit_exceeded"
    assert fragment in error["message"]
    start, end = error["span"]
    assert source[start:end] == node
    assert error["line"] == source[:start].count("\n") + 1


def test_the_issues_19_kb_program_is_refused_at_once_without_allocating(server: Server) -> None:
    source = issue_program()
    assert 19_000 <= len(source) <= 20_000
    peak_before = server.memory_kb("VmHWM")
    for _ in range(3):  # again and again: nothing accumulates either
        response, seconds = server.post(
            "/api/v1/graphs/evaluate", {"source": source, "values": outer(2000, 1000)}
        )
        assert_limit_at(response, source, "c @ r", "numbers")
        assert seconds < 1.0, seconds
    # Allocating m0 alone would take 8 MB, its gradient 8 more, the answer hundreds of MB;
    # the peak memory of the server stays where it was (a few MB of parsing allowed).
    grown = server.memory_kb("VmHWM") - peak_before
    assert grown < 8_000, f"the server's peak memory grew by {grown} kB"


def test_an_answer_over_its_size_limit_is_refused_before_work(server: Server) -> None:
    # 1000×1100 is within every tensor and memory limit; its value and gradient are 2.2M
    # numbers, over max_answer_numbers (2M).
    limits = server.client.get("/api/v1/limits").json()
    assert limits["max_answer_numbers"]["value"] == 2_000_000
    source = "x = c @ r\nloss = sum(x)"
    peak_before = server.memory_kb("VmHWM")
    response, seconds = server.post(
        "/api/v1/graphs/evaluate", {"source": source, "values": outer(1000, 1100)}
    )
    assert_limit_at(response, source, "c @ r", "the limit is 2000000")
    assert seconds < 1.0, seconds
    assert server.memory_kb("VmHWM") - peak_before < 8_000
    # 900 rows fit (1,984,012 numbers), and are answered in full.
    response, _ = server.post(
        "/api/v1/graphs/evaluate", {"source": source, "values": outer(900, 1100)}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["nodes"][2]["value"]) == 900


def test_new_limits_are_listed_with_their_meaning(server: Server) -> None:
    limits = server.client.get("/api/v1/limits").json()
    for name in ("max_eval_bytes", "max_eval_flops", "max_answer_numbers"):
        assert limits[name]["section"] == "programs"
        assert limits[name]["description"]


def test_a_slow_legal_evaluation_stops_at_its_wall_limit(lenient: Server) -> None:
    # Thirty 400×400 products (each 128 MFLOP forward, twice that backward) and 20M numbers to
    # encode: many seconds without the clock.
    chain = [f"h{k} = tanh(h{k - 1} @ x)" for k in range(1, 31)]
    source = "\n".join(["x = c @ r", "h0 = x", *chain, "loss = mean(h30)"])
    response, seconds = lenient.post(
        "/api/v1/graphs/evaluate", {"source": source, "values": outer(400, 400)}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "limit_exceeded"
    assert f"took longer than {EVAL_SECONDS:g} s" in error["message"]
    assert seconds < EVAL_SECONDS + MARGIN, seconds


def test_a_slow_gradient_descent_stops_at_its_wall_limit(server: Server) -> None:
    # About 15 ms a step: 100,000 steps would take half an hour.
    response, seconds = server.post(
        "/api/v1/graphs/optimize",
        {
            "source": "x = a @ b\nloss = mean((x @ x @ x)**2)",
            "values": {"a": [[0.1]] * 300, "b": [[0.1] * 300]},
            "params": ["a", "b"],
            "steps": 100_000,
            "record_every": 10_000,
            "optimizer": {"name": "sgd", "lr": 0.0001},
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "stopped"
    assert 1 <= answer["steps_run"] < 100_000
    assert answer["history"][-1]["step"] == answer["steps_run"]
    assert f"{OPTIMIZE_SECONDS:g} s" in answer["reason"]
    assert seconds < OPTIMIZE_SECONDS + MARGIN, seconds


def test_one_step_longer_than_the_limit_is_cut_off_inside_it(server: Server) -> None:
    # Twenty 700×700 products a forward pass: one step is well over the 1 s limit. It is cut
    # off between ops (limit_exceeded), or, on a machine fast enough to end the first step
    # within the grace, stopped after it; either way within the limit and the margin.
    chain = [f"h{k} = h{k - 1} @ x" for k in range(1, 21)]
    source = "\n".join(["x = a @ b", "h0 = x", *chain, "loss = mean(h20)"])
    response, seconds = server.post(
        "/api/v1/graphs/optimize",
        {
            "source": source,
            "values": {"a": [[0.03]] * 700, "b": [[0.03] * 700]},
            "params": ["a"],
            "steps": 1000,
        },
    )
    if response.status_code == 422:
        error = response.json()["error"]
        assert error["type"] == "limit_exceeded"
        assert f"took longer than {OPTIMIZE_SECONDS:g} s" in error["message"]
    else:
        assert response.status_code == 200 and response.json()["status"] == "stopped"
    assert seconds < OPTIMIZE_SECONDS + MARGIN, seconds


def test_a_shape_mismatch_is_still_found_at_its_operator_before_work(server: Server) -> None:
    source = "x = c @ r\ny = tanh(x)\nz = y @ r"  # 500×400 @ 1×400: found before x is made
    response, seconds = server.post(
        "/api/v1/graphs/evaluate", {"source": source, "values": outer(500, 400)}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "shape_error"
    assert "inner sizes" in error["message"]
    assert source[error["span"][0] : error["span"][1]] == "y @ r"
    assert (error["line"], error["column"]) == (3, 5)
    assert seconds < 1.0
