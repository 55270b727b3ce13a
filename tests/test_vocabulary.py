"""Adding an activation, a loss, a dataset or a derived feature is one entry in one Python
table: the catalogue (which the page builds its menus from), the API and training follow.
Each test adds the entry at run time, as an edit of the table would, and trains with it."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient
from torch import nn
from torch.nn import functional

from app.main import create_app
from app.settings import Settings
from app.train import losses, models
from app.train.datasets import catalogue as dataset_table
from app.train.datasets.dataset import Dataset
from app.train.losses import ANY_REAL, LossSpec


def wobble(*, n_samples: int, noise: float, seed: int) -> Dataset:
    """y = x·cos(x) on [−3, 3] plus noise (a dataset added for this test)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n_samples, 1, generator=g) * 6 - 3
    y = x * torch.cos(x) + noise * torch.randn(n_samples, 1, generator=g)
    return Dataset(x=x, y=y, input_names=("x",), task="regression")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setitem(models.ACTIVATIONS, "softsign", nn.Softsign)
    monkeypatch.setitem(
        losses.LOSSES,
        "smooth_l1",
        LossSpec(functional.smooth_l1_loss, "any number", ANY_REAL, "real", "Huber, δ = 1"),
    )
    monkeypatch.setitem(
        dataset_table.DATASETS,
        "wobble",
        dataset_table.DatasetSpec(
            wobble, "regression", wobble.__doc__ or "", dataset_table.CLOUD,
            lambda options: (options["n_samples"], 1),
        ),
    )  # fmt: skip
    with TestClient(create_app(Settings())) as client:
        yield client


def finished(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/api/v1/runs", json=body)
    assert created.status_code == 201, created.text
    deadline = time.monotonic() + 60
    while (state := client.get(f"/api/v1/runs/{created.json()['id']}").json())["status"] in (
        "running",
        "paused",
    ):
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    return state  # type: ignore[no-any-return]


def test_the_catalogue_lists_each_new_entry(client: TestClient) -> None:
    catalogue = client.get("/api/v1/datasets").json()
    assert "softsign" in catalogue["activations"]
    assert catalogue["losses"]["smooth_l1"]["doc"] == "Huber, δ = 1"
    wobble_entry = next(d for d in catalogue["datasets"] if d["name"] == "wobble")
    assert set(wobble_entry["options"]) == {"n_samples", "noise", "seed"}


def test_a_run_trains_with_each_new_entry(client: TestClient) -> None:
    body = {
        "dataset": {"name": "wobble", "n_samples": 64, "seed": 3},
        "model": {"kind": "mlp", "hidden": [6], "activation": "softsign"},
        "loss": "smooth_l1",
        "optimizer": {"name": "adam", "lr": 0.05},
        "max_epochs": 30,
    }
    state = finished(client, body)
    assert state["status"] == "finished", state
    assert state["resolved"]["loss"] == "smooth_l1"
    history = client.get(f"/api/v1/runs/{state['id']}/history").json()["steps"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]  # it learned something


def test_a_run_refuses_what_no_table_has(client: TestClient) -> None:
    body = {
        "dataset": {"name": "wobble"},
        "model": {"kind": "mlp", "hidden": [6], "activation": "softsine"},
    }
    error = client.post("/api/v1/runs", json=body).json()["error"]
    assert error["type"] == "model_error" and "softsign" in error["message"]
