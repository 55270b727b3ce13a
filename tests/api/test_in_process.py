"""The app is built from one Settings object: in-process tests with their own limits, beside
the real-server tests (TestClient runs the lifespan that builds the registry and catalogue)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings, TrainLimits
from tests.api.conftest import assert_error

SPIRAL_RUN = {
    "dataset": {"name": "spiral", "n_samples": 40},
    "model": {"kind": "mlp", "hidden": [4]},
    "start": False,
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(max_source_chars=40, train=TrainLimits(max_active_runs=1, max_samples=100))
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_limits_are_the_settings_given(client: TestClient) -> None:
    limits = client.get("/api/v1/limits").json()
    assert limits["max_source_chars"]["value"] == 40
    assert limits["max_active_runs"] == {
        "value": 1,
        "description": TrainLimits.model_fields["max_active_runs"].description,
        "section": "training",
    }
    catalogue = client.get("/api/v1/datasets").json()
    spiral = next(d for d in catalogue["datasets"] if d["name"] == "spiral")
    assert spiral["options"]["n_samples"]["maximum"] == 100


def test_a_program_over_this_apps_limit_is_refused(client: TestClient) -> None:
    ok = client.post("/api/v1/graphs/evaluate", json={"source": "z = a", "values": {"a": 1}})
    assert ok.status_code == 200
    long = client.post("/api/v1/graphs/evaluate", json={"source": "z = a" + " " * 40})
    assert assert_error(long)["type"] == "limit_exceeded"  # type: ignore[arg-type]


def test_this_apps_run_limits_hold(client: TestClient) -> None:
    assert client.post("/api/v1/runs", json=SPIRAL_RUN).status_code == 201
    second = client.post("/api/v1/runs", json=SPIRAL_RUN)
    assert second.status_code == 422
    assert "the limit is 1" in second.json()["error"]["message"]
    big = client.post(
        "/api/v1/runs", json={**SPIRAL_RUN, "dataset": {"name": "spiral", "n_samples": 101}}
    )
    assert big.json()["error"]["type"] == "limit_exceeded"


def test_two_apps_do_not_share_runs() -> None:
    with (
        TestClient(create_app(Settings())) as one,
        TestClient(create_app(Settings())) as two,
    ):
        run_id = one.post("/api/v1/runs", json=SPIRAL_RUN).json()["id"]
        assert one.get(f"/api/v1/runs/{run_id}").status_code == 200
        assert two.get(f"/api/v1/runs/{run_id}").status_code == 404
