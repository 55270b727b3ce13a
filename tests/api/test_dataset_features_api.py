"""Features and CSVs through the API (in process): odd column names train, objects and legacy
strings train alike, the first loss is the one plain torch computes on hand-made columns."""

import time
from collections.abc import Iterator
from typing import Any, get_args

import pytest
import torch
from fastapi.testclient import TestClient

from app.api.schemas.datasets import FeatureSpec
from app.main import create_app
from app.settings import Settings
from app.train.features import FEATURE_OPS
from tests.api.conftest import assert_error, strict_json

ROWS = [(20.0 + i, i % 3 - 1.0, 150.0 + 2 * i, (i % 5) / 4, 0.3 * i - 1) for i in range(12)]
ODD_CSV = "temp (F),t-u,height cm,a*b,y\n" + "".join(",".join(map(str, r)) + "\n" for r in ROWS)
OBJECTS: list[Any] = [
    "temp (F)",
    "t-u",
    "height cm",
    "a*b",
    {"op": "square", "of": "t-u"},
    {"op": "product", "of": ["t-u", "a*b"]},
    {"op": "sin", "of": "height cm"},
]
LEGACY = ["temp (F)", "t-u", "height cm", "a*b", "t-u^2", "t-u*a*b", "sin(height cm)"]
W = [0.01, -0.2, 0.003, 0.5, 0.1, -0.3, 0.2]  # starting weights, one per feature


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as client:
        yield client


def _run(client: TestClient, **body: Any) -> dict[str, Any]:
    """Create a run, wait until it ends, answer its state and history."""
    response = client.post("/api/v1/runs", json={"dataset": {"name": "csv", "text": ODD_CSV},
                                                 "model": {"kind": "linear"}, **body})  # fmt: skip
    assert response.status_code == 201, response.text[:500]
    run_id = strict_json(response)["id"]
    deadline = time.monotonic() + 30
    while (state := strict_json(client.get(f"/api/v1/runs/{run_id}")))["status"] == "running":
        assert time.monotonic() < deadline, state
        time.sleep(0.02)
    assert state["status"] == "finished", state
    history = strict_json(client.get(f"/api/v1/runs/{run_id}/history"))["steps"]
    return {"state": state, "history": history}


def test_a_csv_with_odd_column_names_trains_on_its_inputs(client: TestClient) -> None:
    run = _run(client, max_epochs=5, normalize=True)
    assert run["state"]["resolved"]["features"] == ["temp (F)", "t-u", "height cm", "a*b"]
    assert len(run["history"]) == 5


@pytest.mark.parametrize("features", [OBJECTS, LEGACY], ids=["objects", "legacy"])
def test_derived_features_on_odd_columns_train_and_are_echoed_as_given(
    client: TestClient, features: list[Any]
) -> None:
    run = _run(client, features=features, max_epochs=3, normalize=True)
    assert run["state"]["resolved"]["features"] == features
    assert run["state"]["config"]["features"] == features


def test_objects_and_legacy_strings_give_the_numbers_plain_torch_gives(
    client: TestClient,
) -> None:
    body = {
        "model": {"kind": "linear", "init": {"w": W, "b": 0.5}},
        "optimizer": {"name": "sgd", "lr": 1e-6},
        "val_fraction": 0.0,
        "batch_size": None,
        "max_epochs": 4,
    }
    objects = _run(client, features=OBJECTS, **body)["history"]
    legacy = _run(client, features=LEGACY, **body)["history"]
    assert [s["train_loss"] for s in objects] == [s["train_loss"] for s in legacy]
    # The oracle: the feature columns made by hand, the loss before the first update.
    data = torch.tensor(ROWS)
    temp, tu, height, ab, y = data.unbind(1)
    x = torch.stack([temp, tu, height, ab, tu * tu, tu * ab, torch.sin(height)], 1)
    loss = torch.mean((x @ torch.tensor(W) + 0.5 - y) ** 2)
    assert objects[0]["train_loss"] == pytest.approx(float(loss), rel=1e-5)


def test_the_points_answer_offers_features_as_labels_and_request_values(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/v1/datasets/csv", content=ODD_CSV, headers={"content-type": "text/csv"}
    )
    points = strict_json(response)
    assert points["features"][:6] == [
        "temp (F)", "t-u", "height cm", "a*b", "temp (F)^2", "t-u^2",
    ]  # fmt: skip
    options = points["feature_options"]
    assert options[3] == {"label": "a*b", "value": "a*b"}
    product = {"op": "product", "of": ["temp (F)", "t-u"]}
    assert options[6] == {"label": "temp (F)·t-u", "value": product}
    assert len(options) == len(points["features"])


@pytest.mark.parametrize(
    ("features", "error_type", "names"),
    [
        (["temp (C)"], "feature_error", ["temp (C)"]),
        ([{"op": "square", "of": "height"}], "feature_error", ["height"]),
        ([{"op": "product", "of": "t-u"}], "feature_error", None),
        ([{"op": "cube", "of": "t-u"}], "invalid_request", None),
        ([{"op": "square", "of": "t-u", "to": 2}], "invalid_request", None),
        ([{"of": "t-u"}], "invalid_request", None),
        ([3], "invalid_request", None),
        (["t-u"] * 1001, "limit_exceeded", None),  # more than max_features columns
    ],
)
def test_a_bad_feature_is_refused_at_the_door(
    client: TestClient, features: list[Any], error_type: str, names: list[str] | None
) -> None:
    response = client.post(
        "/api/v1/runs",
        json={"dataset": {"name": "csv", "text": ODD_CSV}, "model": {"kind": "linear"},
              "features": features},
    )  # fmt: skip
    error = assert_error(response)
    assert error["type"] == error_type, error
    if error_type == "feature_error":  # the unknown name, and every column to choose from
        assert error.get("names") == names
        assert error["columns"] == ["temp (F)", "t-u", "height cm", "a*b"]


def test_the_schema_offers_exactly_the_table_s_ops() -> None:
    assert get_args(FeatureSpec.model_fields["op"].annotation) == tuple(FEATURE_OPS)


@pytest.mark.parametrize(
    ("text", "loss", "status", "error_type"),
    [
        ("x,y\r1,2\r3,4\r5,7\r", "auto", 201, None),  # old Mac line ends
        ("temp (C),height cm\n1,2\n3,4\n5,7\n", "auto", 201, None),
        ("x,y\n1,0\n2,0\n3,0\n", "nll", 422, "csv_error"),  # one class: was a 500
        ("x,y\n1,0\n2,0\n3,0\n", "auto", 422, "csv_error"),
    ],
)
def test_csv_runs(client: TestClient, text: str, loss: str, status: int, error_type: Any) -> None:
    response = client.post(
        "/api/v1/runs",
        json={"dataset": {"name": "csv", "text": text}, "model": {"kind": "logistic"},
              "loss": loss, "max_epochs": 2},
    )  # fmt: skip
    assert response.status_code == status, response.text[:300]
    if error_type:
        assert assert_error(response)["type"] == error_type


def test_a_big_csv_of_bad_rows_answers_a_small_error(client: TestClient) -> None:
    text = "x,y\n" + "1,2\n" + "oops,1\n" * 250_000
    response = client.post("/api/v1/datasets/csv", content=text,
                           headers={"content-type": "text/csv"})  # fmt: skip
    error = assert_error(response)
    assert error["bad_rows"] == 250_000 and len(error["rows"]) == 20
    assert len(response.content) < 5_000


def test_the_catalogue_lists_the_feature_table_and_each_dataset_s_options(
    client: TestClient,
) -> None:
    catalogue = strict_json(client.get("/api/v1/datasets"))
    assert list(catalogue["feature_ops"]) == list(FEATURE_OPS)
    assert all(op["doc"] and op["arity"] >= 1 for op in catalogue["feature_ops"].values())
    thermometer = next(d for d in catalogue["datasets"] if d["name"] == "thermometer")
    assert thermometer["features"] == ["t_u", "t_u^2", "sin(t_u)"]
    assert [o["value"] for o in thermometer["feature_options"]] == [
        "t_u", {"op": "square", "of": "t_u"}, {"op": "sin", "of": "t_u"},
    ]  # fmt: skip
