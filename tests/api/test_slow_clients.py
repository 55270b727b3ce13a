"""Slow and stuck clients against a real `python -m app` with short connection deadlines: raw
sockets that never finish their headers, dribble a body or sit idle are answered and closed in
time, cost bounded memory, and the server answers everyone else meanwhile."""

import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER_SECONDS = 1.5
BODY_SECONDS = 1.5
IDLE_SECONDS = 1.0
MAX_CONNECTIONS = 300
MAX_HEADER_BYTES = 8_192
# The 2-core machine is shared by several test runs: a deadline is met within this much.
MARGIN = 2.0


@dataclass
class Server:
    """A server started for this module: its address and its process (for its memory)."""

    host: str
    port: int
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://{self.host}:{self.port}"

    def rss_kib(self) -> int:
        """The server process's resident memory, from /proc."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """`python -m app` with short connection deadlines, given through the environment."""
    port = _free_port()
    env = {
        **os.environ,
        "GRADPLAY_HOST": "127.0.0.1",
        "GRADPLAY_PORT": str(port),
        "GRADPLAY_MAX_HEADER_SECONDS": str(HEADER_SECONDS),
        "GRADPLAY_MAX_BODY_SECONDS": str(BODY_SECONDS),
        "GRADPLAY_MAX_IDLE_SECONDS": str(IDLE_SECONDS),
        "GRADPLAY_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
        "GRADPLAY_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    srv = Server("127.0.0.1", port, proc)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{srv.url}/api/v1/limits", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    yield srv
    proc.terminate()
    proc.wait(timeout=10)


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _read_until_closed(sock: socket.socket, timeout: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    start = time.monotonic()
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65_536)
        except TimeoutError:
            raise AssertionError(f"still open after {timeout} s; got {data[:200]!r}") from None
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data, time.monotonic() - start


def _error_of(answer: bytes) -> tuple[int, dict[str, str]]:
    """The status and the `error` object of a raw HTTP answer with the API's error shape."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"content-type: application/json" in head.lower(), head
    parsed = json.loads(body)
    assert set(parsed) == {"error"}, parsed
    assert parsed["error"]["type"] and parsed["error"]["message"], parsed
    return status, parsed["error"]


def _tiny_evaluate_seconds(server: Server) -> float:
    start = time.monotonic()
    answer = httpx.post(
        f"{server.url}/api/v1/graphs/evaluate",
        json={"source": "z = a * b", "values": {"a": 2, "b": 3}},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return time.monotonic() - start


def test_headers_that_never_end_are_answered_408_and_closed(server: Server) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /api/v1/limits HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    for _ in range(3):  # a byte now and then keeps no deadline alive
        time.sleep(0.3)
        sock.sendall(b"a")
    answer, took = _read_until_closed(sock, HEADER_SECONDS + MARGIN)
    status, error = _error_of(answer)
    assert (status, error["type"]) == (408, "request_timeout")
    assert "max_header_seconds" in error["message"]
    assert took + 0.9 <= HEADER_SECONDS + MARGIN


def test_a_connection_that_sends_nothing_is_closed_in_time(server: Server) -> None:
    sock = _connect(server)
    answer, took = _read_until_closed(sock, HEADER_SECONDS + MARGIN)
    assert answer == b""  # a preconnect that was never used: closed without an answer
    assert took >= HEADER_SECONDS - 0.1


def test_a_slow_body_is_cut_with_408(server: Server) -> None:
    sock = _connect(server)
    sock.sendall(
        b"POST /api/v1/graphs/evaluate HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    start = time.monotonic()
    try:
        while time.monotonic() - start < BODY_SECONDS + MARGIN:
            sock.sendall(b" ")
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer, _ = _read_until_closed(sock, MARGIN)
    took = time.monotonic() - start
    status, error = _error_of(answer)
    assert (status, error["type"]) == (408, "request_timeout")
    assert "max_body_seconds" in error["message"]
    assert took <= BODY_SECONDS + MARGIN + 0.5


def test_an_idle_kept_alive_connection_is_closed(server: Server) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /api/v1/limits HTTP/1.1\r\nHost: x\r\n\r\n")
    answer, took = _read_until_closed(sock, IDLE_SECONDS + MARGIN)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
    assert took >= IDLE_SECONDS - 0.1  # kept alive for the idle time, then closed


def test_a_kept_alive_connection_serves_a_second_request_in_time(server: Server) -> None:
    sock = _connect(server)
    request = b"GET /api/v1/limits HTTP/1.1\r\nHost: x\r\n\r\n"
    sock.sendall(request)
    time.sleep(IDLE_SECONDS / 3)
    sock.sendall(request.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n"))
    answer, _ = _read_until_closed(sock, MARGIN + 5)
    assert answer.count(b"HTTP/1.1 200") == 2


@pytest.mark.parametrize("whole", [True, False], ids=["in-one-read", "never-ending"])
def test_headers_over_max_header_bytes_get_431(server: Server, whole: bool) -> None:
    sock = _connect(server)
    huge = b"GET /api/v1/limits HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (MAX_HEADER_BYTES + 100)
    sock.sendall(huge + (b"\r\n\r\n" if whole else b""))
    answer, took = _read_until_closed(sock, MARGIN)
    status, error = _error_of(answer)
    assert (status, error["type"]) == (431, "headers_too_large")
    assert took < 1.0  # refused at once, not at the header deadline


def test_not_http_is_a_clean_400(server: Server) -> None:
    sock = _connect(server)
    sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
    status, error = _error_of(_read_until_closed(sock, MARGIN)[0])
    assert (status, error["type"]) == (400, "http_error")


def test_stuck_clients_cost_bounded_memory_and_the_server_answers_meanwhile(
    server: Server,
) -> None:
    """200 connections each stuck with 6 KB of unfinished headers: the server's memory grows
    by a bound, a tiny evaluate is still quick, and all of them are closed by the deadline."""
    _tiny_evaluate_seconds(server)  # warm
    before = server.rss_kib()
    stuck = []
    try:
        for i in range(200):
            sock = _connect(server)
            sock.sendall(b"GET /api/v1/limits HTTP/1.1\r\nHost: x\r\nX-Pad-%d: " % i + b"p" * 6_000)
            stuck.append(sock)
        opened = time.monotonic()
        # Shared cores: "meanwhile" is within a few seconds, not at the header deadline.
        assert _tiny_evaluate_seconds(server) < 3.0
        grown_kib = server.rss_kib() - before
        # 200 × 6 KB of buffers is 1.2 MB; the protocol objects and tasks a few more.
        assert grown_kib < 30_000, f"grew {grown_kib} KiB for 200 stuck connections"
        for sock in stuck:
            answer, _ = _read_until_closed(sock, HEADER_SECONDS + MARGIN + 3)
            assert _error_of(answer)[0] == 408
        assert time.monotonic() - opened < HEADER_SECONDS + MARGIN + 3
    finally:
        for sock in stuck:
            sock.close()
    assert _tiny_evaluate_seconds(server) < 3.0


def test_connections_over_max_connections_get_503_and_the_rest_are_served(
    server: Server,
) -> None:
    socks = [_connect(server) for _ in range(MAX_CONNECTIONS + 20)]
    time.sleep(0.5)  # well within the header deadline: the held ones are still open
    readable, _, _ = select.select(socks, [], [], 0.5)
    refused = 0
    for sock in readable:  # only a refused connection is answered unasked
        status, error = _error_of(_read_until_closed(sock, MARGIN)[0])
        assert (status, error["type"]) == (503, "server_busy")
        refused += 1
    assert 20 <= refused <= 25, refused  # a few places may still be closing from earlier tests
    for sock in socks:
        sock.close()
    time.sleep(0.5)
    assert _tiny_evaluate_seconds(server) < 3.0  # the places are free again
