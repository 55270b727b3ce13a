"""Training limits: defaults that run on a laptop, each overridable by its environment variable."""

import pytest

from app.train.limits import TrainLimits, from_env


@pytest.mark.parametrize(
    ("environ", "name", "value"),
    [
        ({}, "max_active_runs", 64),
        ({"GRADPLAY_TRAIN_MAX_ACTIVE_RUNS": "128"}, "max_active_runs", 128),
        ({"GRADPLAY_TRAIN_MAX_RUN_SECONDS": "60.5"}, "max_run_seconds", 60.5),
        ({"GRADPLAY_TRAIN_WORKER_THREADS": "2"}, "worker_threads", 2),
    ],
)
def test_limits_from_the_environment(environ: dict[str, str], name: str, value: float) -> None:
    assert getattr(from_env(environ), name) == value


def test_every_limit_is_described() -> None:
    described = TrainLimits().describe()
    assert all(entry["doc"] for entry in described.values())
