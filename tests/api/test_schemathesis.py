"""Property-based tests from the OpenAPI document: Schemathesis generates valid and invalid
requests for every operation and sends them to the running server; no answer may be a 5xx,
each status must be one the document lists, and each body must match its documented schema.

The operations are read from the app's own OpenAPI document at collection (one pytest test per
operation); `test_the_live_document_is_the_one_tested` holds that the running server serves the
same paths, methods and schemas. Bounded: a few dozen derandomized examples per operation.
"""

import random
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app

DOCUMENT = create_app().openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# A run's events stream never ends: its cases keep their generated (unknown) run ids, so they
# test the 404 and 422 answers; the stream itself is tested in test_runs.py and test_hostile.py.
STREAMS = {"/api/v1/runs/{run_id}/events"}
SMALL_RUN: dict[str, Any] = {
    "dataset": {"name": "spiral", "n_samples": 100, "noise": 0.1, "seed": 0},
    "model": {"kind": "mlp", "hidden": [4], "activation": "tanh"},
    "loss": "bce_with_logits",
    "optimizer": {"name": "sgd", "lr": 0.01},
    "max_epochs": 20_000,
}


@pytest.fixture
def real_run(api: httpx.Client) -> Iterator[tuple[str, dict[str, str]]]:
    """A paused run for the cases that steer or read a real run: its id and its auth header."""
    answer = api.post("/api/v1/runs", json=SMALL_RUN)
    assert answer.status_code == 201, answer.text[:300]
    created = answer.json()
    headers = {"Authorization": f"Bearer {created['token']}"} if "token" in created else {}
    api.post(f"/api/v1/runs/{created['id']}/pause", headers=headers)
    yield created["id"], headers


def test_the_live_document_is_the_one_tested(api: httpx.Client) -> None:
    live = api.get("/openapi.json").json()
    assert live["paths"] == DOCUMENT["paths"]
    assert live["components"] == DOCUMENT["components"]


@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
def test_every_operation(
    case: schemathesis.Case, server_url: str, real_run: tuple[str, dict[str, str]]
) -> None:
    """No 5xx, only documented statuses, answers of the documented shape."""
    run_id, auth = real_run
    headers = dict(auth)
    path_parameters = case.path_parameters or {}
    # Half the cases (chosen by the case itself, so a rerun picks the same) address the real
    # run, so its answers are checked too, not only the 404 of an unknown id.
    if (
        "run_id" in path_parameters
        and case.path not in STREAMS
        and random.Random(repr(path_parameters["run_id"])).random() < 0.5
    ):
        path_parameters["run_id"] = run_id
    case.call_and_validate(base_url=server_url, headers=headers, checks=CHECKS, timeout=30)
