"""Graph lab benchmark: one command, every figure side by side.

    .venv/bin/python -m bench.bench_graph

1. /evaluate latency (p50, p99) and throughput against a bare FastAPI endpoint on the same
   server that returns a JSON body of the same size (small program and 300-node program).
2. The engine's in-process time against plain PyTorch forward + backward of the same graph.
3. What an answer costs by its size (`--answers` runs only this): evaluate, conversion to
   Python numbers and strict-JSON encoding of answers up to max_answer_numbers, the figures
   behind that limit's default.
"""

import socket
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import torch
import uvicorn
from fastapi import Request
from fastapi.responses import Response

from app.graph.engine import evaluate
from app.graph.ops import OPS
from app.graph.program import Program, parse_program
from app.main import create_app
from app.settings import Settings
from bench.programs import SMALL_SOURCE, SMALL_VALUES, chain_program

SECONDS = 3.0  # load per measurement
CLIENTS = 4  # concurrent client threads


def _parse(source: str) -> Program:
    return parse_program(source, max_chars=100_000, max_statements=10_000, max_nodes=10_000)


def plain_torch(program: Program, values: dict[str, float]) -> Callable[[], None]:
    """The same graph as straight PyTorch: leaves with requires_grad, ops, backward()."""
    steps = [(n.id, n.kind, n.op, n.inputs, n.const, n.static_args) for n in program.nodes]
    out_id = program.names[program.assigned[-1]]

    def run() -> None:
        vals: dict[str, torch.Tensor] = {}
        for node_id, kind, op, inputs, const, static in steps:
            if kind == "input":
                vals[node_id] = torch.tensor(values[node_id], requires_grad=True)
            elif kind == "const":
                vals[node_id] = torch.tensor(const, requires_grad=True)
            else:
                vals[node_id] = OPS[op or ""].fn(*(vals[i] for i in inputs), *static)
        vals[out_id].backward()

    return run


def time_call(fn: Callable[[], Any], repeat: int = 200) -> float:
    """Median seconds of `fn` over `repeat` calls after a warm-up."""
    for _ in range(20):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(url: str, body: dict[str, Any]) -> dict[str, float]:
    """Hit `url` with CLIENTS threads for SECONDS: latency percentiles (ms) and requests/s."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def worker() -> None:
        mine = []
        with httpx.Client(timeout=30) as client:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                r = client.post(url, json=body)
                r.raise_for_status()
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    with httpx.Client() as client:  # warm up
        for _ in range(20):
            client.post(url, json=body).raise_for_status()
    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "p50": 1000 * latencies[len(latencies) // 2],
        "p99": 1000 * latencies[int(len(latencies) * 0.99)],
        "rps": len(latencies) / elapsed,
    }


def main() -> None:
    torch.set_num_threads(1)
    big_source, big_values = chain_program(300)
    cases = {
        "small z = 2(a − b) + c": (SMALL_SOURCE, SMALL_VALUES),
        "300-node program": (big_source, big_values),
    }

    app = create_app()
    bodies: dict[str, bytes] = {}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    @app.post("/bench/bare/{case}", include_in_schema=False)
    async def bare(case: str, request: Request) -> Response:
        await request.body()
        return Response(bodies[case], media_type="application/json")

    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    print(f"Gradplay graph benchmark ({CLIENTS} client threads, {SECONDS:g} s per figure)\n")
    print(f"{'case':26} {'endpoint':10} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'ratio':>6}")
    for i, (label, (source, values)) in enumerate(cases.items()):
        body = {"source": source, "values": values}
        real = httpx.post(f"{base}/api/v1/graphs/evaluate", json=body, timeout=30)
        real.raise_for_status()
        bodies[str(i)] = real.content
        ours = load(f"{base}/api/v1/graphs/evaluate", body)
        bare_figures = load(f"{base}/bench/bare/{i}", body)
        ratio = ours["rps"] / bare_figures["rps"]
        size = f"({len(real.content)} B)"
        print(f"{label:26} {'bare':10} {bare_figures['p50']:8.2f} {bare_figures['p99']:8.2f} "
              f"{bare_figures['rps']:8.0f}")  # fmt: skip
        print(f"{size:26} {'evaluate':10} {ours['p50']:8.2f} {ours['p99']:8.2f} "
              f"{ours['rps']:8.0f} {ratio:5.2f}x")  # fmt: skip
    server.should_exit = True
    thread.join(timeout=5)

    print("\nEngine in process against plain PyTorch forward + backward of the same graph")
    print("  nodes: every node's value and gradient; +edges: also every edge's local derivative")
    print(f"{'case':26} {'what':8} {'plain torch ms':>15} {'engine ms':>10} {'ratio':>6}")
    limits = Settings().evaluation_limits()  # the server's own limits
    for label, (source, values) in cases.items():
        program = _parse(source)
        plain = time_call(plain_torch(program, values))
        for what, with_edges in (("nodes", False), ("+edges", True)):
            ours_s = time_call(
                lambda p=program, v=values, e=with_edges: evaluate(
                    p, v, with_edges=e, limits=limits
                )
            )
            print(
                f"{label:26} {what:8} {1000 * plain:15.3f} {1000 * ours_s:10.3f} "
                f"{ours_s / plain:5.2f}x"
            )
    print("\nTargets: small-program throughput >= 0.5x bare; engine <= 1.5x plain on 300 nodes.")


def answers() -> None:
    """Seconds and bytes of an evaluate answer by the numbers it carries, in process."""
    from app.api.routes.graphs import _evaluation_json
    from app.api.strict_json import dumps
    from app.graph.encode import node_numbers

    limits = Settings().evaluation_limits()
    print(f"\nAnswer cost by size (the limit: {limits.max_answer_numbers} numbers)")
    print(f"{'numbers':>10} {'evaluate s':>11} {'to python s':>12} {'json s':>8} {'MB':>6}")
    source = "x = c @ r\nloss = sum(x)"
    for rows in (50, 250, 500, 990):
        values: dict[str, Any] = {"c": [[0.37]] * rows, "r": [[1.13] * 1000]}
        program = _parse(source)
        start = time.perf_counter()
        ev = evaluate(program, values, limits=limits)
        evaluated = time.perf_counter()
        node_numbers(ev)
        converted = time.perf_counter()
        text = dumps(_evaluation_json(ev))
        encoded = time.perf_counter()
        print(
            f"{ev.cost.answer_numbers:10d} {evaluated - start:11.3f} "
            f"{converted - evaluated:12.3f} {encoded - converted:8.3f} {len(text) / 1e6:6.1f}"
        )


if __name__ == "__main__":
    import sys

    if "--answers" not in sys.argv:
        main()
    answers()
