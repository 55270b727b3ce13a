"""Commands are serialized, on a real server: eight clients race pause, step, resume, PATCH and
stop on several runs, round after round, and every answer and the end state are what the
outcome rules (app/train/commands.py) say: each answer is the state right after its own
command, a paused run moves exactly the steps asked for, stop always ends a run, no 5xx."""

import random
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.api.conftest import strict_json

CLIENTS = 8
ROUNDS = 3
COMMANDS_PER_CLIENT = 25


def spiral(hidden: int, steps_per_frame: int | None = None) -> dict[str, Any]:
    return {
        "dataset": {"name": "spiral", "n_samples": 200, "noise": 0.1, "seed": 0},
        "model": {"kind": "mlp", "hidden": [hidden, hidden], "activation": "tanh"},
        "loss": "bce_with_logits",
        "optimizer": {"name": "adam", "lr": 0.01},
        "batch_size": 10,
        "max_epochs": 20_000,
        "steps_per_frame": steps_per_frame,
    }


def check_answer(command: str, sent: Any, response: httpx.Response) -> str:
    """The answer of one command as the rules say: 200 with the state right after it, or a
    422 run_state refusal; never anything else."""
    assert response.status_code in (200, 422), (command, response.status_code, response.text)
    body = strict_json(response)
    if response.status_code == 422:
        assert body["error"]["type"] == "run_state", body
        return "refused"
    status = body["status"]
    if command == "pause":
        assert status in ("paused", "stopped"), body  # paused, or it had been stopped
    elif command == "resume":
        assert status == "running", body
    elif command == "step":
        assert status == "paused", body
    elif command == "patch":
        assert body["lr"] == sent, body  # the state right after the change holds it
    elif command == "stop":
        assert status == "stopped", body
    return status


def race(server_url: str, token: str, runs: list[str], stoppable: str, seed: int) -> Counter[str]:
    """CLIENTS threads send random commands; returns how each answered."""
    outcomes: Counter[str] = Counter()
    failures: list[BaseException] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        rng = random.Random(seed * 100 + k)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            with httpx.Client(base_url=server_url, headers=headers, timeout=30) as c:
                for _ in range(COMMANDS_PER_CLIENT):
                    run_id = rng.choice(runs)
                    command = rng.choice(["pause", "resume", "step", "step", "patch", "pause"])
                    if run_id == stoppable and rng.random() < 0.1:
                        command = "stop"
                    sent: Any = None
                    if command == "patch":
                        sent = rng.choice([0.001, 0.003, 0.01, 0.03])
                        response = c.patch(
                            f"/api/v1/runs/{run_id}", json={"optimizer": {"lr": sent}}
                        )
                    elif command == "step":
                        sent = rng.choice([1, 2, 5, 50])
                        response = c.post(f"/api/v1/runs/{run_id}/step", json={"count": sent})
                    else:
                        response = c.post(f"/api/v1/runs/{run_id}/{command}")
                    outcome = check_answer(command, sent, response)
                    with lock:
                        outcomes[f"{command}:{outcome}"] += 1
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client hung"
    if failures:
        raise failures[0]
    return outcomes


def state(api: httpx.Client, run_id: str) -> dict[str, Any]:
    return strict_json(api.get(f"/api/v1/runs/{run_id}"))  # type: ignore[no-any-return]


def quiesce_and_count(api: httpx.Client, server_url: str, run_id: str, rng: random.Random) -> None:
    """A final pause, then known steps from several clients at once: the step counter ends at
    exactly the pause's count plus the steps asked, and stays there."""
    paused = strict_json(api.post(f"/api/v1/runs/{run_id}/pause"))
    assert paused["status"] == "paused", paused
    at = paused["step"]
    time.sleep(0.3)  # a paused run never moves unasked
    assert state(api, run_id)["step"] == at
    counts = [rng.choice([1, 1, 2, 7]) for _ in range(6)]

    def step(count: int) -> None:
        with httpx.Client(base_url=server_url, headers=api.headers, timeout=30) as c:
            answer = c.post(f"/api/v1/runs/{run_id}/step", json={"count": count})
            assert answer.status_code == 200, answer.text
            assert strict_json(answer)["status"] == "paused"

    threads = [threading.Thread(target=step, args=(n,)) for n in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    want = at + sum(counts)
    deadline = time.monotonic() + 30
    while (now := state(api, run_id))["step"] < want:
        assert time.monotonic() < deadline, (now["step"], want)
        time.sleep(0.02)
    for _ in range(10):  # sampled over half a second: it stays where the steps left it
        now = state(api, run_id)
        assert (now["status"], now["step"]) == ("paused", want), (now["step"], want)
        time.sleep(0.05)


@pytest.mark.parametrize("seed", range(ROUNDS))
def test_racing_clients_get_the_documented_outcome(
    api: httpx.Client, server_url: str, seed: int
) -> None:
    token = api.headers["Authorization"].removeprefix("Bearer ")
    bodies = [spiral(8), spiral(8), spiral(12), spiral(6, steps_per_frame=5)]
    runs = [strict_json(api.post("/api/v1/runs", json=body))["id"] for body in bodies]
    stoppable = runs[-1]
    outcomes = race(server_url, token, runs, stoppable, seed)
    assert sum(outcomes.values()) == CLIENTS * COMMANDS_PER_CLIENT
    assert outcomes["pause:paused"] and outcomes["step:paused"], outcomes  # it raced for real
    rng = random.Random(seed)
    for run_id in runs:
        if state(api, run_id)["status"] == "stopped":
            continue
        quiesce_and_count(api, server_url, run_id, rng)
    for run_id in runs:  # stop always ends a run, whatever came before
        assert strict_json(api.post(f"/api/v1/runs/{run_id}/stop"))["status"] == "stopped"
        after = api.post(f"/api/v1/runs/{run_id}/step", json={"count": 1})
        assert after.status_code == 422 and strict_json(after)["error"]["type"] == "run_state"
        assert strict_json(api.post(f"/api/v1/runs/{run_id}/resume")).get("error")
        assert state(api, run_id)["status"] == "stopped"
