"""GET /api/v1/runs/{id}/landscape: the loss surface, once, against the closed form; frames carry
only its version, box and the descent path."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.train import datasets as ds
from tests.api.conftest import assert_error, strict_json

THERMOMETER: dict[str, Any] = {
    "dataset": {"name": "thermometer"},
    "model": {"kind": "linear", "init": {"w": 1.0, "b": 0.0}},
    "optimizer": {"name": "sgd", "lr": 1e-4},
    "val_fraction": 0.0,  # every row trains: the training tensors are the textbook's t_u, t_c
    "grid_resolution": 12,
    "start": False,
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as client:
        yield client


def closed_form(w: float, b: float, reg: dict[str, Any] | None) -> float:
    """mean((w·t_u + b − t_c)²) + the penalty on w, by hand in float64."""
    x = torch.tensor(ds.THERMOMETER_T_U, dtype=torch.float64)
    y = torch.tensor(ds.THERMOMETER_T_C, dtype=torch.float64)
    loss = float(((w * x + b - y) ** 2).mean())
    if reg:
        loss += reg["rate"] * (abs(w) if reg["kind"] == "l1" else w * w)
    return loss


@pytest.mark.parametrize(
    "reg", [None, {"kind": "l2", "rate": 0.1}, {"kind": "l1", "rate": 0.5}], ids=str
)
def test_the_surface_is_the_mean_squared_error_at_each_grid_point(
    client: TestClient, reg: dict[str, Any] | None
) -> None:
    run = client.post("/api/v1/runs", json={**THERMOMETER, "regularization": reg}).json()
    response = client.get(f"/api/v1/runs/{run['id']}/landscape")
    assert response.status_code == 200
    surface = strict_json(response)
    assert set(surface) == {"version", "w", "b", "resolution", "loss"}
    n = surface["resolution"]
    assert surface["version"] == 1 and n == 12
    assert len(surface["loss"]) == n and all(len(row) == n for row in surface["loss"])
    ws = torch.linspace(*surface["w"], n, dtype=torch.float64)
    bs = torch.linspace(*surface["b"], n, dtype=torch.float64)
    for i, j in [(0, 0), (0, n - 1), (n - 1, 0), (5, 7), (n - 1, n - 1)]:  # row = b, column = w
        want = closed_form(float(ws[j]), float(bs[i]), reg)
        assert surface["loss"][i][j] == pytest.approx(want, rel=1e-4, abs=1e-3)


def test_frames_carry_the_version_box_and_path_but_not_the_surface(client: TestClient) -> None:
    run = client.post("/api/v1/runs", json=THERMOMETER).json()
    run_id, owner = run["id"], {"Authorization": f"Bearer {run['token']}"}
    step = client.post(f"/api/v1/runs/{run_id}/step", json={"count": 3}, headers=owner)
    assert step.status_code == 200
    deadline = time.monotonic() + 30
    while client.get(f"/api/v1/runs/{run_id}").json()["step"] < 3:  # the worker steps it
        assert time.monotonic() < deadline
        time.sleep(0.02)
    frame = client.app.state.registry.get(run_id).trainer.frame()  # type: ignore[attr-defined]
    land = frame["landscape"]
    assert set(land) == {"version", "w", "b", "resolution", "path"}
    assert land["path"][0] == [1.0, 0.0] and len(land["path"]) == 4
    surface = strict_json(client.get(f"/api/v1/runs/{run_id}/landscape"))
    assert {k: surface[k] for k in ("version", "w", "b", "resolution")} == {
        k: land[k] for k in ("version", "w", "b", "resolution")
    }
    again = strict_json(client.get(f"/api/v1/runs/{run_id}/landscape"))
    assert again == surface  # computed once: the same version and numbers


def test_an_unknown_run_is_not_found(client: TestClient) -> None:
    error = assert_error(client.get("/api/v1/runs/nope/landscape"))
    assert error["type"] == "not_found"


def test_a_run_without_two_parameters_has_no_landscape(client: TestClient) -> None:
    body = {"dataset": {"name": "spiral", "n_samples": 40}, "model": {"kind": "mlp", "hidden": [4]}}
    run_id = client.post("/api/v1/runs", json={**body, "start": False}).json()["id"]
    response = client.get(f"/api/v1/runs/{run_id}/landscape")
    assert response.status_code == 422
    error = assert_error(response)
    assert error["type"] == "run_state" and "two-parameter" in error["message"]
