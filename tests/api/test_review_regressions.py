"""Requests a review found answering 500 (or accepted when they should not be): each is now a
clean 4xx of the documented shape, or behaves as documented."""

from typing import Any

import httpx
import pytest

from tests.api.test_runs import SPIRAL, error_of, strict

CSV = "/api/v1/datasets/csv"


@pytest.mark.parametrize(
    ("change", "error_type"),
    [
        ({"model": {"kind": "linear", "init": {"w": "x"}}}, "invalid_request"),
        ({"model": {"kind": "linear", "init": {"w": None}}}, "invalid_request"),
        ({"seed": 10**30}, "invalid_request"),
        ({"frames_per_second": 1e-300}, "invalid_request"),
    ],
    ids=["init-text", "init-null", "huge-seed", "tiny-frame-rate"],
)
def test_bad_run_settings_are_refused(
    api: httpx.Client, change: dict[str, Any], error_type: str
) -> None:
    response = api.post("/api/v1/runs", json={**SPIRAL, **change})
    assert error_of(response)["type"] == error_type


@pytest.mark.parametrize("where", ["seed", "dataset.seed"])
def test_a_huge_preview_seed_is_refused(api: httpx.Client, where: str) -> None:
    body: dict[str, Any] = {"dataset": {"name": "spiral", "n_samples": 20}}
    assert api.post("/api/v1/datasets/preview", json=body).status_code == 200  # the control
    if where == "seed":
        body["seed"] = 10**30
    else:
        body["dataset"]["seed"] = 10**30
    error = error_of(api.post("/api/v1/datasets/preview", json=body))
    assert error["type"] in ("invalid_request", "limit_exceeded")
    assert "seed" in error["message"]


def _csv(api: httpx.Client, text: str, **params: str) -> httpx.Response:
    return api.post(CSV, content=text.encode(), params=params,
                    headers={"content-type": "text/csv"})  # fmt: skip


def test_a_csv_field_longer_than_the_csv_module_reads_is_a_csv_error(api: httpx.Client) -> None:
    text = "x,y\n" + "1" * 200_000 + ",1\n"
    assert error_of(_csv(api, text))["type"] == "csv_error"


def test_csv_rows_keep_their_line_numbers_after_leading_blank_lines(api: httpx.Client) -> None:
    error = error_of(_csv(api, "\n\nx,y\n1,2\noops,3\n"))
    assert error["rows"] == [{"line": 5, "message": "column 'x' is 'oops', not a number"}]


def test_csv_values_beyond_float32_are_refused(api: httpx.Client) -> None:
    error = error_of(_csv(api, "x,y\n1e39,1\n2,3\n"))
    assert error["rows"][0]["line"] == 2 and "not a finite number" in error["rows"][0]["message"]


def test_an_unknown_csv_task_is_refused(api: httpx.Client) -> None:
    response = api.post(
        "/api/v1/runs",
        json={**SPIRAL, "dataset": {"name": "csv", "text": "x,y\n1,2\n3,4\n", "task": "guess"}},
    )
    error = error_of(response)
    assert error["type"] == "invalid_request" and error["message"].startswith("dataset.task:")


@pytest.mark.parametrize(
    "last_id", [b"9" * 5000, "²".encode("latin-1"), b"-1", b"1.5", b"0x10", b""],
    ids=["too-long", "superscript-two", "negative", "fraction", "hex", "empty"],
)  # fmt: skip
def test_a_last_event_id_that_is_not_a_whole_number_is_refused(
    api: httpx.Client, last_id: bytes
) -> None:
    run = strict(api.post("/api/v1/runs", json={**SPIRAL, "max_epochs": 1}).text)
    response = api.get(f"/api/v1/runs/{run['id']}/events", headers={"Last-Event-ID": last_id})
    assert error_of(response)["type"] == "invalid_request"
