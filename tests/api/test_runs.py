"""The runs API on a real server: create, read, steer, stream (with Last-Event-ID), diverge."""

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.api.schemas.events import FrameEvent, StatusEvent, StepEvent
from tests.api.conftest import assert_error

EVENT_MODELS = {"step": StepEvent, "frame": FrameEvent, "status": StatusEvent}


def _refuse(token: str) -> Any:
    raise ValueError(f"not strict JSON: {token}")


def strict(text: str) -> Any:
    """Parse as a browser's JSON.parse would (no NaN/Infinity tokens)."""
    return json.loads(text, parse_constant=_refuse)


def error_of(response: httpx.Response, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    body = strict(response.text)
    assert set(body) == {"error"} and body["error"]["type"] and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


SPIRAL: dict[str, Any] = {
    "dataset": {"name": "spiral", "n_samples": 200, "noise": 0.1, "seed": 0},
    "model": {"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
    "loss": "bce_with_logits",
    "optimizer": {"name": "adam", "lr": 0.03},
    "batch_size": 10,
    "val_fraction": 0.2,
}
THERMOMETER: dict[str, Any] = {
    "dataset": {"name": "thermometer"},
    "model": {"kind": "linear", "init": {"w": 1.0, "b": 0.0}},
    "optimizer": {"name": "sgd", "lr": 1e-2},
    "val_fraction": 0.0,
    "max_epochs": 3000,
}


def create(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/v1/runs", json=body)
    assert response.status_code == 201, response.text[:500]
    return strict(response.text)  # type: ignore[no-any-return]


def wait_until(
    api: httpx.Client, run_id: str, check: Callable[[dict[str, Any]], bool], seconds: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        state = strict(api.get(f"/api/v1/runs/{run_id}").text)
        if check(state):
            return state  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, state
        time.sleep(0.05)


def read_events(
    api: httpx.Client, run_id: str, *, last_id: int | None, seconds: float
) -> list[tuple[int, str, Any]]:
    """Read the SSE stream for up to `seconds` (or until it ends); (id, event, data) each."""
    headers = {"Last-Event-ID": str(last_id)} if last_id is not None else {}
    events: list[tuple[int, str, Any]] = []
    deadline = time.monotonic() + seconds
    # A quiet stream (a paused or diverged run stays open: it may resume) ends the read.
    timeout = httpx.Timeout(5.0, read=1.0)
    url = f"/api/v1/runs/{run_id}/events"
    try:
        with api.stream("GET", url, headers=headers, timeout=timeout) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            fields: dict[str, str] = {}
            for line in response.iter_lines():
                if line == "":
                    if "data" in fields:
                        events.append((int(fields["id"]), fields["event"], strict(fields["data"])))
                    fields = {}
                    if time.monotonic() > deadline:
                        break
                elif not line.startswith(":"):
                    key, _, value = line.partition(": ")
                    fields[key] = value
    except httpx.ReadTimeout:
        pass
    return events


def test_create_and_read(api: httpx.Client) -> None:
    run = create(api, {**SPIRAL, "max_epochs": 3})
    assert run["status"] == "running" and run["config"]["optimizer"]["lr"] == 0.03
    assert run["resolved"]["n_train"] == 160 and run["resolved"]["n_val"] == 40
    state = wait_until(api, run["id"], lambda s: s["status"] == "finished")
    assert state["epoch"] == 3 and state["step"] == 48 and "3 epochs" in state["reason"]
    history = strict(api.get(f"/api/v1/runs/{run['id']}/history").text)["steps"]
    assert [h["epoch"] for h in history] == [1, 2, 3]
    keys = {"epoch", "step", "train_loss", "val_loss", "train_accuracy", "val_accuracy"}
    assert keys | {"grad_norm", "lr"} <= set(history[0])
    assert state["metrics"]["train_loss"] == history[-1]["train_loss"]
    data = strict(api.get(f"/api/v1/runs/{run['id']}/data").text)
    assert len(data["train"]["x"]) == 160 and len(data["val"]["y"]) == 40


def test_sse_resumes_with_last_event_id_without_gaps_or_repeats(api: httpx.Client) -> None:
    # Paced: 20 updates (one epoch) per frame, 10 frames a second, 40 epochs ≈ 4 s.
    run = create(api, {**SPIRAL, "max_epochs": 40, "steps_per_frame": 16, "frames_per_second": 10})
    first = read_events(api, run["id"], last_id=None, seconds=1.0)
    assert first and first[0][0] == 1
    read_up_to = max(d["epoch"] for _, kind, d in first if kind == "step")
    # Events keep coming while nobody reads: resume only once the run is three epochs on.
    wait_until(api, run["id"], lambda s: s["epoch"] >= read_up_to + 3 or s["status"] != "running")
    rest = read_events(api, run["id"], last_id=first[-1][0], seconds=30)
    events = first + rest
    ids = [e[0] for e in events]
    assert ids == sorted(set(ids)), "an id came twice or out of order"
    epochs = [data["epoch"] for _, kind, data in events if kind == "step"]
    assert epochs == list(range(1, 41)), "a step was lost or repeated"
    frames = [data for _, kind, data in events if kind == "frame"]
    assert frames and frames[-1]["epoch"] == 40
    grid = frames[-1]["grid"]
    assert grid["kind"] == "probability" and len(grid["values"]) == 50
    assert [layer["units"] for layer in frames[-1]["layers"]] == [8, 8, 1]
    assert "weight_grad" in frames[-1]["layers"][0]
    assert events[-1][1] == "status" and events[-1][2]["status"] == "finished"
    for _, kind, data in events:  # every event has the documented shape
        EVENT_MODELS[kind].model_validate(data)
    # Reconnecting after the end gives nothing new and ends.
    assert read_events(api, run["id"], last_id=ids[-1], seconds=5) == []


def test_a_reader_that_stops_reading_does_not_hold_the_run_back(api: httpx.Client) -> None:
    run = create(api, {**SPIRAL, "max_epochs": 60, "frames_per_second": 30})
    url = f"/api/v1/runs/{run['id']}/events"
    with api.stream("GET", url) as response:  # opened, never read
        assert response.status_code == 200
        state = wait_until(api, run["id"], lambda s: s["status"] == "finished", seconds=60)
    assert state["epoch"] == 60
    events = read_events(api, run["id"], last_id=0, seconds=10)
    assert [d["epoch"] for _, k, d in events if k == "step"] == list(range(1, 61))
    assert len([1 for _, k, _ in events if k == "frame"]) <= 8  # the ring of latest frames


def test_pause_step_resume_patch_stop(api: httpx.Client) -> None:
    run = create(api, {**SPIRAL, "max_epochs": 10_000})
    run_id = run["id"]
    paused = api.post(f"/api/v1/runs/{run_id}/pause").json()
    assert paused["status"] == "paused"  # the worker has applied it: the answer says so
    at = paused["step"]
    time.sleep(0.3)  # a paused run holds still: nothing to wait for but time
    assert api.get(f"/api/v1/runs/{run_id}").json()["step"] == at
    api.post(f"/api/v1/runs/{run_id}/step", json={"count": 5})
    wait_until(api, run_id, lambda s: s["step"] == at + 5)
    api.post(f"/api/v1/runs/{run_id}/step")
    wait_until(api, run_id, lambda s: s["step"] == at + 6)
    patched = api.patch(
        f"/api/v1/runs/{run_id}", json={"optimizer": {"lr": 0.005}, "batch_size": 20}
    )
    assert patched.status_code == 200 and patched.json()["lr"] == 0.005
    assert api.post(f"/api/v1/runs/{run_id}/resume").json()["status"] == "running"
    wait_until(api, run_id, lambda s: s["metrics"].get("lr") == 0.005 and s["batch_size"] == 20)
    assert api.post(f"/api/v1/runs/{run_id}/stop").json()["status"] == "stopped"
    error = error_of(api.post(f"/api/v1/runs/{run_id}/resume"))
    assert error["type"] == "run_state"
    assert error_of(api.patch(f"/api/v1/runs/{run_id}", json={"lr": 0.1}))["type"] == "run_state"


def test_raising_lr_mid_run_diverges_and_pauses_with_a_reason(api: httpx.Client) -> None:
    run = create(api, {**SPIRAL, "max_epochs": 10_000})
    wait_until(api, run["id"], lambda s: s["epoch"] >= 3)
    api.patch(f"/api/v1/runs/{run['id']}", json={"optimizer": {"lr": 100}})
    state = wait_until(api, run["id"], lambda s: s["status"] != "running")
    assert state["status"] == "diverged" and "learning rate 100" in state["reason"]
    events = read_events(api, run["id"], last_id=0, seconds=5)
    statuses = [data for _, kind, data in events if kind == "status"]
    assert statuses[-1]["status"] == "diverged" and statuses[-1]["reason"] == state["reason"]
    # Lower the rate and go on: the parameters are still finite numbers.
    api.patch(f"/api/v1/runs/{run['id']}", json={"lr": 0.01})
    assert api.post(f"/api/v1/runs/{run['id']}/resume").json()["status"] == "running"
    api.post(f"/api/v1/runs/{run['id']}/stop")


@pytest.mark.parametrize(
    ("normalize", "status", "reason"),
    [(False, "diverged", "too large"), (True, "finished", "3000 epochs")],
)
def test_thermometer_raw_diverges_normalized_converges(
    api: httpx.Client, normalize: bool, status: str, reason: str
) -> None:
    run = create(api, {**THERMOMETER, "normalize": normalize})
    state = wait_until(api, run["id"], lambda s: s["status"] not in ("running",))
    assert state["status"] == status and reason in state["reason"]
    if normalize:
        assert state["metrics"]["train_loss"] < 3.0  # the least-squares MSE is 2.93
    events = read_events(api, run["id"], last_id=0, seconds=10)
    frame = [data for _, kind, data in events if kind == "frame"][-1]
    land = frame["landscape"]
    surface = strict(api.get(f"/api/v1/runs/{run['id']}/landscape").text)
    assert "loss" not in land and surface["version"] == land["version"]
    assert len(surface["loss"]) == land["resolution"] and land["path"][0] == [1.0, 0.0]
    assert len(frame["curve"]["x"]) == 200
    history = strict(api.get(f"/api/v1/runs/{run['id']}/history").text)["steps"]
    assert "params" in history[0]


def test_non_finite_numbers_stay_strict_json(api: httpx.Client) -> None:
    run = create(
        api,
        {
            **THERMOMETER,
            "optimizer": {"name": "sgd", "lr": 10},
            "divergence_factor": 1e300,
            "explode_factor": 1e300,
        },
    )
    state = wait_until(api, run["id"], lambda s: s["status"] == "diverged")
    assert "became" in state["reason"]
    # The run's state says the diverging loss as the contract's string, not null.
    assert state["metrics"]["batch_loss"] in ("NaN", "Infinity", "-Infinity"), state["metrics"]
    # read_events parses every data line strictly (NaN or Infinity tokens raise); the
    # non-finite loss that diverged the run arrives as one of the contract's strings.
    events = read_events(api, run["id"], last_id=0, seconds=5)
    assert events and events[-1][2]["status"] == "diverged"
    assert {"NaN", "Infinity", "-Infinity"} & set(re.findall(r"'(NaN|-?Infinity)'", str(events)))


@pytest.mark.parametrize(
    ("body", "type"),
    [
        ({**SPIRAL, "model": {"kind": "linear"}, "loss": "bce"}, "loss_mismatch"),
        ({**SPIRAL, "dataset": {"name": "nope"}}, "dataset_error"),
        ({**SPIRAL, "dataset": {"name": "spiral", "n_samples": 10**8}}, "limit_exceeded"),
        ({**SPIRAL, "model": {"kind": "mlp", "hidden": [10**6]}}, "limit_exceeded"),
        ({**SPIRAL, "optimizer": {"name": "lbfgs"}}, "invalid_optimizer"),
        ({**SPIRAL, "features": ["x3"]}, "feature_error"),
        ({**SPIRAL, "batch_size": 0}, "invalid_request"),
    ],
)
def test_bad_configurations(api: httpx.Client, body: dict[str, Any], type: str) -> None:
    assert error_of(api.post("/api/v1/runs", json=body))["type"] == type


def test_unknown_run_is_404(api: httpx.Client) -> None:
    assert error_of(api.get("/api/v1/runs/nope"), 404)["type"] == "not_found"
    assert error_of(api.get("/api/v1/runs/nope/events"), 404)["type"] == "not_found"


def test_catalogue_lists_every_dataset_option_and_limit(api: httpx.Client) -> None:
    catalogue = strict(api.get("/api/v1/datasets").text)
    names = {d["name"] for d in catalogue["datasets"]}
    wanted = {"thermometer", "table", "circle", "xor", "gauss", "spiral", "moons", "blobs"}
    assert wanted | {"sine", "plane", "random_regression", "csv", "points"} <= names
    for dataset in catalogue["datasets"]:
        for option in dataset["options"].values():
            assert option["doc"]
    assert all(limit["doc"] for limit in catalogue["limits"].values())
    assert {"sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"} <= set(
        catalogue["optimizers"]
    )
    assert set(catalogue["losses"]) == {
        "mse",
        "l1",
        "bce",
        "bce_with_logits",
        "nll",
        "cross_entropy",
    }
    assert all(option["doc"] for option in catalogue["run_options"].values())


def test_preview_and_csv_upload(api: httpx.Client) -> None:
    preview = api.post(
        "/api/v1/datasets/preview", json={"dataset": {"name": "table"}, "val_fraction": 0}
    )
    assert preview.status_code == 200 and len(preview.json()["train"]["x"]) == 9
    assert preview.json()["unknown"] == [[4, 3], [1, 2], [2, 9]]
    good = api.post(
        "/api/v1/datasets/csv",
        content="x1,x2,y\n2,8,5\n9,2,6\n4,3,?\n",
        headers={"content-type": "text/csv"},
    )
    assert good.status_code == 200 and good.json()["unknown"] == [[4, 3]]
    bad = api.post(
        "/api/v1/datasets/csv",
        content="x1,x2,y\n2,8,5\n9,two,6\n4\n",
        headers={"content-type": "text/csv"},
    )
    error = error_of(bad)
    assert error["type"] == "csv_error" and [r["line"] for r in error["rows"]] == [3, 4]
    run = create(
        api,
        {"dataset": {"name": "csv", "text": "a,b\n1,2.5\n2,4\n3,6\n"}, "model": {"kind": "linear"}},
    )
    assert run["resolved"]["task"] == "regression"
    api.post(f"/api/v1/runs/{run['id']}/stop")


def test_program_opens_in_the_graph_lab(api: httpx.Client) -> None:
    run = create(api, {**SPIRAL, "start": False})
    assert error_of(api.get(f"/api/v1/runs/{run['id']}/program"))["type"] == "run_state"
    api.post(f"/api/v1/runs/{run['id']}/step")
    wait_until(api, run["id"], lambda s: s["step"] == 1)
    program = strict(api.get(f"/api/v1/runs/{run['id']}/program").text)
    assert "z1 = x @ W1.T + b1" in program["source"]
    evaluated = api.post("/api/v1/graphs/evaluate", json=program)
    assert evaluated.status_code == 200, evaluated.text[:500]
    names = {node["name"] for node in evaluated.json()["nodes"]}
    assert {"x", "W1", "b1", "h1", "loss"} <= names
    api.post(f"/api/v1/runs/{run['id']}/stop")


@pytest.mark.parametrize(
    ("normalize", "status"),
    [
        ({"kind": "scale", "factor": 0.1}, 201),
        ("zscore", 201),
        ({"kind": "scale", "factor": 0}, 422),
        ({"kind": "scale", "factor": "NaN"}, 422),
        ({"kind": "log"}, 422),
        ("minmax", 422),
    ],
)
def test_normalize_accepts_the_contracts_forms(
    api: httpx.Client, normalize: object, status: int
) -> None:
    body = {**THERMOMETER, "normalize": normalize, "start": False}
    answer = api.post("/api/v1/runs", json=body)
    assert answer.status_code == status, answer.text
    if status == 201:
        assert answer.json()["config"]["normalize"] == normalize  # echoed as sent
    else:
        assert "normalize" in assert_error(answer)["message"]
