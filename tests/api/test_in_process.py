"""The app is built from one Settings object: in-process tests with their own limits, beside
the real-server tests (TestClient runs the lifespan that builds the registry and catalogue)."""

import json
import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.api.history import history_page
from app.api.long_json import dumps_sliced
from app.api.strict_json import dumps
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


# --- bodies parsed in the parser process (parse_inline_bytes=0 sends every body there) -------


@pytest.fixture
def parsing_client() -> Iterator[TestClient]:
    settings = Settings(parse_inline_bytes=0, max_data_request_bytes=2_000)
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_body_parsed_in_the_parser_process_evaluates_as_inline(
    parsing_client: TestClient,
) -> None:
    body = {
        "source": "z = sum(a * b) + c",
        "values": {"a": [[1, 2], [3, "NaN"]], "b": [[0.5, 0.25], [1e-3, 0]], "c": 2},
        "dtype": "float64",
    }
    with TestClient(create_app(Settings())) as inline:
        expected = inline.post("/api/v1/graphs/evaluate", json=body).json()
    got = parsing_client.post("/api/v1/graphs/evaluate", json=body)
    assert got.status_code == 200, got.text
    assert got.json() == expected
    assert got.json()["output"] == "z"
    assert got.json()["nodes"][-1]["value"] == "NaN"  # 3 * 1e-3 + NaN * 0 + ...


def test_bad_bodies_in_the_parser_process_get_the_inline_answers(
    parsing_client: TestClient,
) -> None:
    url = "/api/v1/graphs/evaluate"
    json_type = {"content-type": "application/json"}
    broken = parsing_client.post(url, content=b'{"source": "z = a", ', headers=json_type)
    assert assert_error(broken)["type"] == "invalid_request"  # type: ignore[arg-type]
    assert broken.json()["error"]["details"][0]["type"] == "json_invalid"
    deep = parsing_client.post(url, content=b"[" * 100_000, headers=json_type)
    assert assert_error(deep)["type"] == "limit_exceeded"  # type: ignore[arg-type]
    ragged = parsing_client.post(url, json={"source": "z = a", "values": {"a": [[1, 2], [3]]}})
    error = assert_error(ragged)  # type: ignore[arg-type]
    assert error["type"] == "invalid_value" and "value of a" in error["message"]
    word = parsing_client.post(url, json={"source": "z = a", "values": {"a": [1, "one"]}})
    assert "'one' is not a number" in assert_error(word)["message"]  # type: ignore[arg-type]
    typed = parsing_client.post(url, json={"source": 5})
    assert assert_error(typed)["message"].startswith("source")  # type: ignore[arg-type]


def test_a_run_body_over_its_own_limit_is_refused_declared_or_chunked(
    parsing_client: TestClient,
) -> None:
    body = b'{"dataset": {"name": "csv", "text": "' + b"x" * 3_000 + b'"}}'
    declared = parsing_client.post("/api/v1/runs", content=body)
    assert assert_error(declared)["type"] == "request_too_large"  # type: ignore[arg-type]
    chunked = parsing_client.post(
        "/api/v1/runs", content=iter([body[:1_000], body[1_000:]]), headers={}
    )
    assert "chunked" in chunked.request.headers.get("transfer-encoding", "")
    assert assert_error(chunked)["type"] == "request_too_large"  # type: ignore[arg-type]
    # The Graph lab's routes keep the larger max_request_bytes.
    program = parsing_client.post(
        "/api/v1/graphs/evaluate", json={"source": "z = a", "values": {"a": [1.0] * 1_000}}
    )
    assert program.status_code == 200


# --- long answers: history pages from cached blocks, answers encoded in slices ---------------


class _Run:
    """What history_page reads of a run: its append-only history."""

    def __init__(self) -> None:
        self.history: list[dict[str, object]] = []


def test_history_pages_from_cached_blocks_equal_slices_of_the_history() -> None:
    run = _Run()
    for n in (0, 1, 7, 10, 23, 40):  # the history grows between reads, as a run's does
        while len(run.history) < n:
            epoch = len(run.history) + 1
            loss = float("nan") if epoch == 5 else 1 / epoch
            run.history.append({"epoch": epoch, "train_loss": loss})
        for since in (0, 1, 3, 9, 10, 11, 25, 40, 41):
            for limit in (1, 4, 10, 13, 100):
                page = json.loads(history_page(run, since, limit, block=5))
                want = [dict(e) for e in run.history[since : since + limit]]
                for entry in want:
                    entry["train_loss"] = dumps_round(entry["train_loss"])
                assert page["steps"] == want, (n, since, limit)
                more = since + limit < len(run.history)
                assert page["next"] == (since + limit if more else None)


def dumps_round(value: object) -> object:
    """A number as strict JSON gives it back ("NaN" for NaN)."""
    return json.loads(dumps(value))


def test_sliced_encoding_writes_the_same_strict_json() -> None:
    rng = random.Random(3)
    long_rows = [[rng.random() for _ in range(300)] for _ in range(50)]
    long_rows[7][9] = float("inf")
    answer = {
        "nodes": [{"id": "n0", "value": long_rows, "grad": [float("nan")] * 5_000, "shape": []}],
        "flat": [rng.random() for _ in range(12_345)],
        "empty": [],
        "keys": {1: "one", "é": (1, 2)},
        "scalars": [True, None, "text", -0.0, 10**20],
    }
    assert dumps_sliced(answer) == dumps(answer)
    assert dumps_sliced(long_rows) == dumps(long_rows)
