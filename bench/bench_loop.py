"""Does the event loop only route? A tiny evaluate's latency alone and beside heavy load.

    .venv/bin/python -m bench.bench_loop [--seconds 10] [--epochs 20000]

The load (in its own process, so the measuring client shares no GIL with it): big bodies near
the limits (a ~24 MB evaluate body, a 2 MB CSV run request, a 2 MB CSV check), ten clients
reading a run's whole history, and heavy legal evaluates. The tiny evaluate is `z = a*b`.
tests/api/test_loop_latency.py holds the figures to a bound.
"""

import argparse
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TINY = {"source": "z = a*b", "values": {"a": 2.0, "b": 3.0}}
READERS = 10  # clients reading the history at once
READ_PAUSE = 1.0  # seconds each reader waits between reads (ten pages open, polling)
HISTORY_RUN = {
    "dataset": {"name": "thermometer"},
    "model": {"kind": "linear"},
    "optimizer": {"name": "sgd", "lr": 0.0001},
    "frames_per_second": 30,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(**env: str) -> Iterator[str]:
    """`python -m app` on a free port (with GRADPLAY_* `env`); yields its base URL."""
    port = _free_port()
    full_env = {**os.environ, **env, "GRADPLAY_PORT": str(port), "GRADPLAY_HOST": "127.0.0.1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{url}/api/v1/ops", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def start_history_run(url: str, epochs: int) -> str:
    """Start a tiny full-batch run of `epochs` epochs (one history entry each); its id."""
    answer = httpx.post(f"{url}/api/v1/runs", json={**HISTORY_RUN, "max_epochs": epochs})
    answer.raise_for_status()
    return str(answer.json()["id"])


def history_length(url: str, run_id: str) -> int:
    """Epochs the run has recorded so far."""
    return int(httpx.get(f"{url}/api/v1/runs/{run_id}", timeout=30).json()["epoch"])


def tiny_latencies(url: str, seconds: float, pause: float = 0.01) -> list[float]:
    """Milliseconds of each tiny evaluate sent one after another for `seconds`."""
    out: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        client.post("/api/v1/graphs/evaluate", json=TINY).raise_for_status()  # connect first
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            answer = client.post("/api/v1/graphs/evaluate", json=TINY)
            out.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text
            time.sleep(pause)
    return out


def _big_bodies() -> dict[str, tuple[str, bytes, str]]:
    """name → (path, body, content type) of the big requests, built once."""
    rng = random.Random(0)
    numbers = ",".join(f"{rng.random():.9f}" for _ in range(2_000_000))
    # A 2M-element value (the per-tensor limit) naming no input of the program: parsed and
    # validated in full, then refused before any tensor is built (its answer would be huge).
    evaluate = f'{{"source": "z = a", "values": {{"a": 1, "q": [{numbers}]}}}}'.encode()
    rows = "".join(
        f"{rng.random():.6f},{rng.random():.6f},{rng.random():.6f}\n" for _ in range(80_000)
    )
    csv = ("x1,x2,y\n" + rows)[:1_990_000].rsplit("\n", 1)[0] + "\n"
    run = httpx.Request(
        "POST", "/", json={"dataset": {"name": "csv", "text": csv}, "max_epochs": 0}
    ).read()  # refused at validation (max_epochs ≥ 1) after the whole body is parsed
    return {
        "evaluate": ("/api/v1/graphs/evaluate", evaluate, "application/json"),
        "run": ("/api/v1/runs", run, "application/json"),
        "csv": ("/api/v1/datasets/csv", csv.encode(), "text/csv"),
    }


def _heavy_evaluate() -> dict[str, Any]:
    """A legal evaluate with real torch work: a 200×200 by 200×200 product and its backward."""
    rng = random.Random(1)
    matrix = [[rng.random() for _ in range(200)] for _ in range(200)]
    return {"source": "c = a @ b\nz = sum(tanh(c))", "values": {"a": matrix, "b": matrix}}


def _repeat(stop: threading.Event, call: Callable[[httpx.Client], None]) -> None:
    with httpx.Client(timeout=120) as client:
        while not stop.is_set():
            call(client)


KINDS = ("evaluate", "run", "csv", "heavy", "history")


def run_load(
    url: str,
    run_id: str,
    seconds: float,
    kinds: tuple[str, ...] = KINDS,
    report: "multiprocessing.Queue[dict[str, int]] | None" = None,
) -> None:
    """Send the heavy load of `kinds` for `seconds` (the target of a load process); put the
    count of answered requests of each kind on `report`."""
    bodies = _big_bodies()
    heavy = _heavy_evaluate()
    stop = threading.Event()
    counts: dict[str, int] = {}

    def post(name: str) -> Callable[[httpx.Client], None]:
        path, body, content_type = bodies[name]

        def call(client: httpx.Client) -> None:
            answer = client.post(url + path, content=body, headers={"content-type": content_type})
            assert answer.status_code < 500, answer.text[:300]
            counts[name] = counts.get(name, 0) + 1

        return call

    def read_history(client: httpx.Client) -> None:
        answer = client.get(f"{url}/api/v1/runs/{run_id}/history")
        assert answer.status_code == 200
        counts["history"] = counts.get("history", 0) + 1
        time.sleep(READ_PAUSE)

    def evaluate_heavy(client: httpx.Client) -> None:
        answer = client.post(f"{url}/api/v1/graphs/evaluate", json=heavy)
        assert answer.status_code == 200, answer.text[:300]
        counts["heavy"] = counts.get("heavy", 0) + 1

    calls = [post(name) for name in ("evaluate", "run", "csv") if name in kinds]
    calls += [evaluate_heavy] if "heavy" in kinds else []
    calls += [read_history] * READERS if "history" in kinds else []
    threads = [threading.Thread(target=_repeat, args=(stop, c), daemon=True) for c in calls]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    print("load requests answered:", counts, flush=True)
    if report is not None:
        report.put(counts)


@contextmanager
def load(
    url: str, run_id: str, seconds: float, kinds: tuple[str, ...] = KINDS
) -> Iterator[dict[str, int]]:
    """The heavy load in its own process for `seconds`, started before the block runs; the dict
    yielded holds, after the block, the count of answered requests of each kind."""
    context = multiprocessing.get_context("spawn")
    report: multiprocessing.Queue[dict[str, int]] = context.Queue()
    process = context.Process(target=run_load, args=(url, run_id, seconds, kinds, report))
    process.start()
    counts: dict[str, int] = {}
    try:
        yield counts
    finally:
        counts.update(report.get(timeout=seconds + 120))
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def summary(latencies: list[float]) -> dict[str, float]:
    """p50, p95 and max of a list of milliseconds."""
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "max": ordered[-1],
    }


def main() -> None:
    """Print the tiny evaluate's latency alone and beside the load, side by side."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--epochs", type=int, default=20_000)
    parser.add_argument("--kinds", default=",".join(KINDS), help="of " + ", ".join(KINDS))
    args = parser.parse_args()
    with server() as url:
        run_id = start_history_run(url, args.epochs)
        started = time.monotonic()
        while history_length(url, run_id) < args.epochs:
            time.sleep(0.5)
        print(f"a {args.epochs}-entry history took {time.monotonic() - started:.1f} s to train")
        quiet = summary(tiny_latencies(url, args.seconds))
        with load(url, run_id, args.seconds + 3, tuple(args.kinds.split(","))):
            time.sleep(3)  # the load's bodies are built and its clients are sending
            loaded = summary(tiny_latencies(url, args.seconds))
    print(f"{'tiny evaluate (ms)':<20}{'alone':>10}{'under load':>12}")
    for key in ("n", "p50", "p95", "max"):
        print(f"{key:<20}{quiet[key]:>10.1f}{loaded[key]:>12.1f}")


if __name__ == "__main__":
    main()
