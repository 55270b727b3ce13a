"""Every preset is a valid run body that the real API accepts, its menu fields are filled in,
and the seeds' stories happen as told."""

import httpx
import pytest

from app.api.schemas.runs import RunCreate
from app.settings import TrainLimits
from app.train.presets import PRESETS
from app.train.trainer import TrainConfig, Trainer

LIMITS = TrainLimits()
MENU_FIELDS = {"id": str, "group": str, "title": str, "note": str, "doc": str}


def trainer_for(name: str) -> Trainer:
    body = RunCreate.model_validate(PRESETS[name]["run"])
    data = body.model_dump(exclude={"frames_per_second", "steps_per_frame", "start"})
    data["dataset"] = body.dataset.model_dump()
    return Trainer(TrainConfig(**data), LIMITS)


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_has_its_menu_fields(name: str) -> None:
    preset = PRESETS[name]
    assert preset["id"] == name
    for field, kind in MENU_FIELDS.items():
        assert isinstance(preset[field], kind) and preset[field], field  # type: ignore[literal-required]
    assert isinstance(preset["view"], dict)
    assert set(preset["view"]) <= {"loss_scale"}
    assert preset["view"].get("loss_scale", "linear") in ("linear", "log")


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_validates_as_a_run_request(name: str) -> None:
    RunCreate.model_validate(PRESETS[name]["run"])


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_creates_a_run_through_the_api(api: httpx.Client, name: str) -> None:
    answer = api.post("/api/v1/runs", json={**PRESETS[name]["run"], "start": False})
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["status"] == "paused"
    # The session client sends its token on create, so the run is its own and it may stop it.
    assert run["token"] == api.headers["Authorization"].removeprefix("Bearer ")
    assert api.post(f"/api/v1/runs/{run['id']}/stop").status_code == 200


def test_the_catalogue_serves_the_table(api: httpx.Client) -> None:
    served = api.get("/api/v1/datasets").json()["presets"]
    assert list(served) == list(PRESETS)
    for name, preset in PRESETS.items():
        assert served[name] == preset  # outside scripts read presets[id].run


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_builds_and_steps(name: str) -> None:
    trainer = trainer_for(name)
    assert trainer.step().record.loss >= 0


def test_the_perceptron_learns_when_to_go_out() -> None:
    outcomes = list(trainer_for("go_out_perceptron").steps())
    assert outcomes[-1].history is not None and outcomes[-1].history["train_accuracy"] == 1.0


def test_l2_holds_the_big_mlp_back() -> None:
    def weight_norm(name: str) -> float:
        trainer = trainer_for(name)
        for _ in range(300):
            trainer.step()
        return sum(float(w.detach().norm()) for w in trainer.weights)

    assert weight_norm("overfitting_l2") < weight_norm("overfitting")


def test_the_big_mlp_is_flagged_for_overfitting_and_l2_is_not() -> None:
    changes = [o.overfitting for o in trainer_for("overfitting").steps() if o.overfitting]
    assert changes and all(change.flagged for change in changes)  # raised, then updated
    assert not [o for o in trainer_for("overfitting_l2").steps() if o.overfitting]
