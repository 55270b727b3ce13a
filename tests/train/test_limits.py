"""Training limits: defaults that run on a laptop, each overridable by its environment variable
through the one Settings class (GRADPLAY_TRAIN_<NAME>), beside the program limits."""

import pytest

from app.settings import Settings, TrainLimits


@pytest.mark.parametrize(
    ("environ", "name", "value"),
    [
        ({}, "max_active_runs", 64),
        ({"GRADPLAY_TRAIN_MAX_ACTIVE_RUNS": "128"}, "max_active_runs", 128),
        ({"GRADPLAY_TRAIN_MAX_RUN_SECONDS": "60.5"}, "max_run_seconds", 60.5),
        ({"GRADPLAY_TRAIN_WORKER_THREADS": "2"}, "worker_threads", 2),
    ],
)
def test_limits_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], name: str, value: float
) -> None:
    for key, raw in environ.items():
        monkeypatch.setenv(key, raw)
    assert getattr(Settings().train, name) == value


def test_program_limits_keep_their_flat_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADPLAY_MAX_EVAL_SECONDS", "3.5")
    monkeypatch.setenv("GRADPLAY_MAX_DIMS", "4")
    settings = Settings()
    assert settings.max_eval_seconds == 3.5
    assert settings.evaluation_limits().max_dims == 4
    assert settings.evaluation_limits(seconds=7).max_seconds == 7


@pytest.mark.parametrize("raw", ["lots", "-1", "0"])
def test_a_bad_limit_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("GRADPLAY_TRAIN_MAX_ACTIVE_RUNS", raw)
    with pytest.raises(ValueError, match="max_active_runs"):
        Settings()


def test_every_limit_is_listed_once_with_its_section() -> None:
    listed = Settings().limits()
    assert set(TrainLimits.model_fields) <= set(listed)
    assert {name for name in Settings.model_fields if name.startswith("max_")} <= set(listed)
    assert all(entry["description"] for entry in listed.values())
    assert {entry["section"] for entry in listed.values()} == {
        "programs",
        "training",
        "connections",
    }
