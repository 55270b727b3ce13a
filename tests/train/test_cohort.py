"""Runs trained together in one batched pass give the losses they give alone."""

from typing import Any

import pytest

from app.settings import TrainLimits
from app.train.cohort import step_together
from app.train.trainer import TrainConfig, Trainer

LIMITS = TrainLimits()

CASES: list[tuple[str, str, str, str, dict[str, Any] | None, str]] = [
    ("spiral", "tanh", "none", "bce_with_logits", None, "adam"),
    ("circle", "relu", "sigmoid", "bce", {"kind": "l2", "rate": 0.01}, "sgd"),
    ("blobs", "gelu", "none", "cross_entropy", None, "momentum"),
    ("blobs", "leaky_relu", "log_softmax", "nll", {"kind": "l1", "rate": 0.001}, "rmsprop"),
    ("plane", "sigmoid", "none", "mse", None, "nesterov"),
    ("sine", "tanh", "tanh", "l1", None, "adagrad"),
]


@pytest.mark.parametrize(("dataset", "activation", "output", "loss", "reg", "optimizer"), CASES)
def test_together_equals_alone(
    dataset: str,
    activation: str,
    output: str,
    loss: str,
    reg: dict[str, Any] | None,
    optimizer: str,
) -> None:
    def config(seed: int, lr: float) -> TrainConfig:
        return TrainConfig(
            dataset={"name": dataset, "n_samples": 60, "seed": seed},
            model={"kind": "mlp", "hidden": [6, 5], "activation": activation, "output": output},
            loss=loss,
            regularization=reg,
            optimizer={"name": optimizer, "lr": lr},
            batch_size=8,  # 48 training rows: whole batches only, so all shapes agree
            seed=seed,
        )

    configs = [config(0, 0.05), config(1, 0.02), config(2, 0.05)]
    alone = [[Trainer(c, LIMITS) for c in configs]]
    together = [Trainer(c, LIMITS) for c in configs]
    expected = [[t.step().record.loss for _ in range(30)] for t in alone[0]]
    got: list[list[float]] = [[], [], []]
    for _ in range(30):
        for i, outcome in enumerate(step_together(together)):
            got[i].append(outcome.record.loss)
    for want, have in zip(expected, got, strict=True):
        assert have == pytest.approx(want, rel=1e-5, abs=1e-7)


def test_different_shapes_and_dropout_fall_back_to_alone() -> None:
    base = {"dataset": {"name": "xor", "n_samples": 50}, "batch_size": 10}
    configs = [
        TrainConfig(model={"kind": "mlp", "hidden": [4]}, **base),  # type: ignore[arg-type]
        TrainConfig(model={"kind": "mlp", "hidden": [5]}, **base),  # type: ignore[arg-type]
        TrainConfig(model={"kind": "mlp", "hidden": [4], "dropout": 0.2}, **base),  # type: ignore[arg-type]
        TrainConfig(model={"kind": "mlp", "hidden": [4]}, **{**base, "batch_size": 7}),  # type: ignore[arg-type]
    ]
    alone = [Trainer(c, LIMITS) for c in configs]
    together = [Trainer(c, LIMITS) for c in configs]
    for _ in range(12):
        want = [t.step().record.loss for t in alone]
        have = [o.record.loss for o in step_together(together)]
        assert have == pytest.approx(want, rel=1e-5)
