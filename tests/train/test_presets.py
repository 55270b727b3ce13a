"""Every preset is a valid run body, and the seeds' stories happen as told."""

import pytest

from app.api.schemas.runs import RunCreate
from app.settings import TrainLimits
from app.train.presets import PRESETS
from app.train.trainer import TrainConfig, Trainer

LIMITS = TrainLimits()


def trainer_for(name: str) -> Trainer:
    body = RunCreate.model_validate(PRESETS[name]["run"])
    data = body.model_dump(exclude={"frames_per_second", "steps_per_frame", "start"})
    data["dataset"] = body.dataset.model_dump()
    return Trainer(TrainConfig(**data), LIMITS)


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_builds_and_steps(name: str) -> None:
    assert PRESETS[name]["doc"]
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


def test_the_big_mlp_is_flagged_for_overfitting() -> None:
    flagged = [o.overfitting for o in trainer_for("overfitting").steps() if o.overfitting]
    assert len(flagged) == 1
