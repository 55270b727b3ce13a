"""The monitors on the real presets over long runs: silent where the run is healthy, firing
where the seeds say it must, with messages that quote the epoch losses the chart draws."""

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.api.schemas.runs import RunCreate
from app.settings import TrainLimits
from app.train.presets import PRESETS
from app.train.records import HistoryEntry
from app.train.trainer import TrainConfig, Trainer


@dataclass
class Outcome:
    """How a run ended and what the monitors said on the way."""

    history: list[HistoryEntry] = field(default_factory=list)
    diverged: str | None = None
    finished: str | None = None
    overfitting: list[tuple[int, bool, str]] = field(default_factory=list)  # (epoch, up, reason)


def train(
    name: str, *, epochs: int, lr_at: tuple[int, float] | None = None, **changes: Any
) -> Outcome:
    """Train preset `name` for `epochs` (optionally changing the lr after an epoch)."""
    run = copy.deepcopy(PRESETS[name]["run"])
    run.update(changes, max_epochs=epochs)
    body = RunCreate.model_validate(run)
    data = body.model_dump(exclude={"frames_per_second", "steps_per_frame", "start"})
    data["dataset"] = body.dataset.model_dump()
    trainer = Trainer(TrainConfig(**data), TrainLimits())
    seen = Outcome()
    while not (seen.diverged or seen.finished):
        outcome = trainer.step()
        seen.diverged, seen.finished = outcome.diverged, outcome.finished
        if outcome.history is not None:
            seen.history.append(outcome.history)
            if lr_at and outcome.history["epoch"] == lr_at[0]:
                trainer.set_lr(lr_at[1])
        if outcome.overfitting is not None:
            change = outcome.overfitting
            seen.overfitting.append((trainer.epoch, change.flagged, change.reason))
    return seen


def test_the_spiral_preset_trains_1000_epochs_without_a_false_alarm() -> None:
    seen = train("spiral", epochs=1000)
    assert seen.diverged is None and seen.finished == "completed 1000 epochs"
    assert seen.overfitting == []
    assert seen.history[-1]["val_accuracy"] >= 0.9


@pytest.mark.parametrize(
    ("how", "kwargs"),
    [
        ("from the start", {"optimizer": {"name": "adam", "lr": 0.5}}),
        ("raised while it runs, as its note says", {"lr_at": (100, 0.5)}),
    ],
)
def test_the_spiral_at_lr_half_diverges(how: str, kwargs: dict[str, Any]) -> None:
    seen = train("spiral", epochs=400, **kwargs)
    assert seen.diverged, how
    last = seen.history[-1]
    assert f"{last['train_loss']:.4g} at epoch {last['epoch']}" in seen.diverged
    assert "learning rate 0.5 is too large" in seen.diverged


def test_the_raw_thermometer_diverges_at_epoch_2_quoting_the_chart() -> None:
    seen = train("thermometer_raw", epochs=5000)
    assert [e["epoch"] for e in seen.history] == [1, 2]
    first, second = (e["train_loss"] for e in seen.history)
    assert abs(first - 1763.8846) < 0.01  # the book's epoch-1 loss
    assert seen.diverged is not None
    assert f"from {first:.4g} (epoch 1) to {second:.4g} (epoch 2)" in seen.diverged


def test_the_normalized_thermometer_converges_silently() -> None:
    seen = train("thermometer_normalized", epochs=5000)
    assert seen.diverged is None and seen.overfitting == []
    assert abs(seen.history[-1]["train_loss"] - 2.927648) < 1e-3  # the book's final loss


def test_the_thermometer_scaled_by_a_tenth_gives_the_books_numbers() -> None:
    # Deep Learning with PyTorch, ch. 5: t_un = 0.1 * t_u, 5000 epochs of full-batch SGD at
    # 1e-2 from w = 1, b = 0 end at params tensor([5.3671, -17.3012]), loss 2.927648.
    trainer = Trainer(
        TrainConfig(
            **{
                **RunCreate.model_validate(PRESETS["thermometer_scaled"]["run"]).model_dump(
                    exclude={"frames_per_second", "steps_per_frame", "start", "dataset"}
                ),
                "dataset": {"name": "thermometer"},
                "normalize": {"kind": "scale", "factor": 0.1},
            }
        ),
        TrainLimits(),
    )
    seen = [o for o in trainer.steps()]
    assert seen[-1].finished == "completed 5000 epochs" and not any(o.diverged for o in seen)
    history = [o.history for o in seen if o.history]
    params = trainer.named_params()
    assert round(params["w"], 4) == 5.3671 and round(params["b"], 4) == -17.3012
    assert abs(history[-1]["train_loss"] - 2.927648) < 2e-6  # the loss before the last update


def test_the_big_mlp_on_30_points_is_flagged_and_its_l2_variant_is_not() -> None:
    overfits = train("overfitting", epochs=2000)
    assert overfits.diverged is None
    assert overfits.overfitting and overfits.overfitting[0][1] is True
    epoch, _, reason = overfits.overfitting[0]
    entry = overfits.history[epoch - 1]
    assert f"to {entry['val_loss']:.4g} (epoch {epoch})" in reason  # the chart's numbers
    low = min(overfits.history[:epoch], key=lambda e: e["val_loss"])
    assert entry["val_loss"] > 1.1 * low["val_loss"]  # clearly above its minimum
    assert entry["train_loss"] < entry["val_loss"]

    held_back = train("overfitting_l2", epochs=2000)
    assert held_back.diverged is None and held_back.overfitting == []


@pytest.mark.parametrize("name", ["loss_mse", "table_x1x2y", "go_out_perceptron"])
def test_other_presets_raise_no_alarm(name: str) -> None:
    seen = train(name, epochs=300)
    assert seen.diverged is None and seen.overfitting == []
