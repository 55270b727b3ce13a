"""Typed at the door: every field of a dataset or run request is typed and bounded by its schema,
so a bad value is a 422 naming the field (never a 5xx, never a run that dies later).

The dataset cases are built from the table DATASETS itself (each option by its kind and bounds),
so a new dataset or option is tested without a line here. Bodies are sent as Python's json
writes them, NaN and Infinity tokens included, as a hostile client may."""

import json
import math
import re
import time
from typing import Any

import httpx
import pytest

from app.settings import TrainLimits
from app.train import datasets as ds
from tests.api.test_runs import SPIRAL, error_of, strict

LIMITS = TrainLimits()  # the server of the `api` fixture runs with the default limits
NAN, INF = math.nan, math.inf
PREVIEW, RUNS = "/api/v1/datasets/preview", "/api/v1/runs"
FIELD_ERRORS = ("invalid_request", "limit_exceeded")


def post(api: httpx.Client, path: str, body: Any) -> httpx.Response:
    """POST `body` as json.dumps writes it (NaN, Infinity and -Infinity as bare tokens)."""
    return api.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


def _wrong_values(param: ds.Param) -> list[Any]:
    """Values of the wrong type, not finite, or out of the option's range."""
    if param.kind in ("int", "float"):
        values: list[Any] = ["1", "NaN", "Infinity", NAN, INF, -INF, None, True, [], {}, [1]]
        if param.kind == "int":
            values.append(2.5)
        if param.minimum is not None:
            values.append(param.minimum - 1)
        maximum = ds.bound(param, LIMITS)
        if maximum is not None:
            values.append(maximum + 1)
        return values
    if param.kind == "points":
        return [5, "0,0,1", {}, None, True, [5], [[0, 0]], [[0, 0, 1, 2]], [[0, 0, "a"]],
                [[0, 0, None]], [[0, [1], 1]], [[0, 0, True]], [[NAN, 0, 1]], [[0, INF, 1]],
                [[0, 0, "NaN"]]]  # fmt: skip
    wrong = [5, 1.5, [], ["x"], {}, {"a": 1}, None, True]
    return [*wrong, "guess"] if param.kind == "choice" else wrong


DATASET_CASES = [
    pytest.param(name, key, value, id=f"{name}.{key}={value!r}"[:80])
    for name, spec in ds.DATASETS.items()
    for key, param in spec.params.items()
    for value in _wrong_values(param)
]


@pytest.mark.parametrize("path", [PREVIEW, RUNS])
@pytest.mark.parametrize(("name", "key", "value"), DATASET_CASES)
def test_a_bad_dataset_option_is_refused_naming_it(
    api: httpx.Client, path: str, name: str, key: str, value: Any
) -> None:
    dataset = {"name": name, key: value}
    body = {"dataset": dataset} if path == PREVIEW else {**SPIRAL, "dataset": dataset}
    error = error_of(post(api, path, body))
    assert error["type"] in FIELD_ERRORS, error
    assert re.match(rf"dataset\.{key}(\.\d+)*: ", error["message"]), error["message"]


@pytest.mark.parametrize("name", list(ds.DATASETS))
def test_an_unknown_option_is_refused_for_every_dataset(api: httpx.Client, name: str) -> None:
    error = error_of(post(api, PREVIEW, {"dataset": {"name": name, "colour": 1}}))
    assert (error["type"], error["message"]) == (
        "invalid_request",
        "dataset.colour: Extra inputs are not permitted",
    )


@pytest.mark.parametrize(
    ("dataset", "type", "message"),
    [
        ({"name": "spiral", "noise": 9}, "invalid_request",
         "dataset.noise: Input should be less than or equal to 5"),
        ({"name": "spiral", "noise": NAN}, "invalid_request",
         "dataset.noise: Input should be a finite number"),
        ({"name": "spiral", "noise": "NaN"}, "invalid_request",
         "dataset.noise: Input should be a valid number"),
        ({"name": "spiral", "n_samples": 10**8}, "limit_exceeded",
         "dataset.n_samples: Input should be at most 10000 (the limit max_samples)"),
        ({"name": "blobs", "n_classes": 21}, "limit_exceeded",
         "dataset.n_classes: Input should be at most 20 (the limit max_classes)"),
        ({"name": "csv", "text": "x,y\n" + "1,2\n" * 600_000}, "limit_exceeded",
         "dataset.text: 2400004 characters; the limit max_csv_bytes is 2000000"),
        ({"name": "csv", "text": "x,y\n" + "é,2\n" * 450_000}, "limit_exceeded",
         "dataset.text: the CSV is 2250004 bytes; the limit max_csv_bytes is 2000000"),
        ({"name": "points", "points": [[0, 0, 1]] * 10_001}, "limit_exceeded",
         "dataset.points: 10001 points; the limit max_samples is 10000"),
        ({"name": "nope"}, "dataset_error", "unknown dataset 'nope'"),
        ({"noise": 1}, "dataset_error", "unknown dataset 'None'"),
        (5, "invalid_request", "dataset: Input should be an object"),
        (None, "invalid_request", "dataset: Input should be an object"),
    ],
)  # fmt: skip
def test_the_message_names_the_field_and_reads_well(
    api: httpx.Client, dataset: Any, type: str, message: str
) -> None:
    error = error_of(post(api, PREVIEW, {"dataset": dataset}))
    assert error["type"] == type and error["message"].startswith(message), error


@pytest.mark.parametrize(
    ("init", "field"),
    [
        ({"q": 1}, "model.init.q"),
        ({"layer0.weight": 1}, "model.init.layer0.weight"),
        ({"layer1.grad": 1}, "model.init.layer1.grad"),
        ({"w": "x"}, "model.init.w"),
        ({"w": None}, "model.init.w"),
        ({"w": True}, "model.init.w"),
        ({"w": "NaN"}, "model.init.w"),
        ({"w": NAN}, "model.init.w"),
        ({"w": [1, INF]}, "model.init.w.1"),
        ({"w": [[1, -INF]]}, "model.init.w.0.1"),
        ({"w": {"a": 1}}, "model.init.w"),
        ({"w": [[1, 2], [3]]}, "model.init.w"),
        ({"w": [[[1]]]}, "model.init.w.0.0"),
        ({"w": [0.0] * (LIMITS.max_parameters + 1)}, "model.init"),
        ({"w": [[0.0] * 1000] * 201}, "model.init"),
        ({f"layer{i}.weight": 1 for i in range(1, 20)}, "model.init"),
        ([1, 2], "model.init"),
        ("w=1", "model.init"),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_bad_starting_values_are_refused_naming_the_field(
    api: httpx.Client, init: Any, field: str
) -> None:
    body = {**SPIRAL, "model": {"kind": "linear", "init": init}}
    error = error_of(post(api, RUNS, body))
    assert error["type"] in FIELD_ERRORS and error["message"].startswith(f"{field}: "), error


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"optimizer": {"name": "adam", "betas": 5}}, "optimizer.adam.betas"),
        ({"optimizer": {"name": "adam", "betas": []}}, "optimizer.adam.betas"),
        ({"optimizer": {"name": "adam", "betas": [0.9]}}, "optimizer.adam.betas"),
        ({"optimizer": {"name": "adam", "betas": [0.9, "x"]}}, "optimizer.adam.betas.1"),
        ({"optimizer": {"name": "adam", "betas": [0.9, NAN]}}, "optimizer.adam.betas.1"),
        (
            {"optimizer": {"name": "momentum", "lr": 0.01, "dampening": "x"}},
            "optimizer.momentum.dampening",
        ),
        ({"optimizer": {"name": "sgd", "lr": "NaN"}}, "optimizer.sgd.lr"),
        ({"optimizer": {"lr": INF}}, "optimizer.sgd.lr"),
        ({"model": {"kind": "mlp", "hidden": [0]}}, "model.hidden.0"),
        ({"model": {"kind": "mlp", "hidden": [1.5]}}, "model.hidden.0"),
        ({"model": {"kind": "mlp", "hidden": ["8"]}}, "model.hidden.0"),
        ({"model": {"kind": "mlp", "hidden": [10**6]}}, "model.hidden.0"),
        ({"model": {"kind": "mlp", "hidden": [2] * 9}}, "model.hidden"),
        ({"model": {"kind": "mlp", "hidden": 8}}, "model.hidden"),
        ({"model": {"kind": "mlp", "hidden": [8], "activation": 5}}, "model.activation"),
        ({"model": {"kind": "mlp", "hidden": [8], "activation": "r" * 41}}, "model.activation"),
        ({"model": {"kind": "mlp", "hidden": [8], "activation": ["relu"] * 9}}, "model.activation"),
        ({"model": {"kind": "mlp", "dropout": NAN}}, "model.dropout"),
        ({"model": {"kind": "mlp", "output": None}}, "model.output"),
        ({"model": {"kind": "nope"}}, "model.kind"),
        ({"features": 5}, "features"),
        ({"features": [5]}, "features.0"),
        ({"features": [{"op": "square", "of": 5}]}, "features.0.of"),
        ({"features": [{"op": "product", "of": ["x1", "x2", "x1"]}]}, "features.0.of"),
        ({"features": [{"op": "cube", "of": "x1"}]}, "features.0.op"),
        ({"features": [{"op": "square", "of": "x1", "x": 1}]}, "features.0.x"),
        ({"features": ["x1"] * (LIMITS.max_features + 1)}, "features"),
        ({"val_fraction": NAN}, "val_fraction"),
        ({"target_loss": NAN}, "target_loss"),
        ({"frames_per_second": INF}, "frames_per_second"),
        ({"frames_per_second": 31}, "frames_per_second"),
        ({"divergence_factor": INF}, "divergence_factor"),
        ({"explode_factor": "NaN"}, "explode_factor"),
        ({"max_epochs": 10**9}, "max_epochs"),
        ({"grid_resolution": 101}, "grid_resolution"),
        ({"batch_size": 2**40}, "batch_size"),
        ({"steps_per_frame": 10**9}, "steps_per_frame"),
        ({"regularization": {"kind": "l2", "rate": NAN}}, "regularization.rate"),
        ({"regularization": {"kind": "l2", "rate": "x"}}, "regularization.rate"),
        ({"regularization": {"kind": "l3"}}, "regularization.kind"),
        ({"loss": 5}, "loss"),
    ],
    ids=lambda v: repr(v)[:60],
)
def test_a_bad_run_field_is_refused_naming_it(
    api: httpx.Client, change: dict[str, Any], field: str
) -> None:
    error = error_of(post(api, RUNS, {**SPIRAL, **change}))
    assert error["type"] in FIELD_ERRORS and error["message"].startswith(f"{field}: "), error


@pytest.mark.parametrize(
    "change",
    [{"lr": NAN}, {"optimizer": {"lr": "NaN"}}, {"frames_per_second": INF}, {"batch_size": "x"},
     {"steps_per_frame": 0}, {"momentum": 0.5}],
    ids=repr,
)  # fmt: skip
def test_a_bad_live_change_is_refused_naming_it(api: httpx.Client, change: dict[str, Any]) -> None:
    run = strict(post(api, RUNS, {**SPIRAL, "start": False}).text)
    token = run.get("token")  # the contract's next step: commands need the run's token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = api.patch(f"{RUNS}/{run['id']}", content=json.dumps(change), headers={
        "content-type": "application/json", **headers})  # fmt: skip
    error = error_of(response)
    assert error["type"] in FIELD_ERRORS and error["message"].startswith(f"{next(iter(change))}")
    api.post(f"{RUNS}/{run['id']}/stop", headers=headers)


def test_a_huge_feature_list_is_refused_before_its_items_are_read(api: httpx.Client) -> None:
    """1.5 MB of 250,000 repeated features (the hostile tester's body) and 120,000 feature
    objects: refused by their count, in well under a second each on a busy 2-core machine."""
    for features in (["x1"] * 250_000, [{"op": "square", "of": "x1"}] * 120_000):
        started = time.perf_counter()
        error = error_of(post(api, RUNS, {**SPIRAL, "features": features}))
        seconds = time.perf_counter() - started
        assert error["type"] == "limit_exceeded", error
        assert error["message"].startswith(f"features: {len(features)} features; the limit")
        assert seconds < 1.5, seconds  # measured ≈ 0.2 s (the JSON parse dominates)


@pytest.mark.parametrize(
    "dataset",
    [
        {"name": "csv", "text": "x,y\n1,2\n3,4\n5,6\n", "target": "", "task": "auto"},
        {"name": "csv", "text": "temp (C),y\n1,2\n3,4\n", "target": "y", "task": "regression"},
        {"name": "points", "points": [[0, 0, 0], [1, 1, 1], [0.5, -0.5, 1]]},
        {"name": "points", "points": [[0, 0, 0], [1, 1, 1]], "task": "classification"},
        {"name": "random_regression", "n_samples": 8, "d_in": 3, "d_out": 2, "seed": 1},
        {"name": "blobs", "n_samples": 30, "noise": 0, "seed": 2**31 - 1, "n_classes": 20},
        {"name": "spiral", "n_samples": 10, "noise": 5.0},
        {"name": "thermometer"},
    ],
    ids=lambda d: d["name"],
)
def test_the_shapes_the_page_sends_still_validate(api: httpx.Client, dataset: Any) -> None:
    """The page sends every option of the dataset's catalogue entry, defaults included."""
    preview = post(api, PREVIEW, {"dataset": dataset})
    assert preview.status_code == 200, preview.text
    run = post(api, RUNS, {**SPIRAL, "dataset": dataset, "model": {"kind": "linear"},
                           "loss": "mse", "start": False})  # fmt: skip
    assert run.status_code == 201, run.text


def test_the_catalogue_and_the_schema_read_the_same_table(api: httpx.Client) -> None:
    catalogue = strict(api.get("/api/v1/datasets").text)
    openapi = strict(api.get("/openapi.json").text)
    models = openapi["components"]["schemas"]
    for entry in catalogue["datasets"]:
        model = next(m for m in models.values() if m.get("title", "").lower().replace(
            "_", "") == entry["name"].replace("_", "") + "dataset")  # fmt: skip
        assert set(model["properties"]) == {"name", *entry["options"]}
        assert model.get("additionalProperties") is False
        for key, option in entry["options"].items():
            prop = model["properties"][key]
            assert prop.get("default") == option["default"], key
            if option["kind"] == "choice":
                assert prop["enum"] == option["choices"], key
            if option["kind"] in ("int", "float") and option["maximum"] is not None:
                assert prop["maximum"] == option["maximum"], key


def test_the_server_still_trains_after_every_refusal(api: httpx.Client) -> None:
    run = strict(post(api, RUNS, {**SPIRAL, "max_epochs": 3}).text)
    deadline = time.monotonic() + 30
    while (state := strict(api.get(f"{RUNS}/{run['id']}").text))["status"] == "running":
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    assert state["status"] == "finished" and state["epoch"] == 3, state
