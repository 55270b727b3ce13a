"""Runs trained together in one batched pass give the losses they give alone."""

from typing import Any

import pytest
import torch

from app.settings import TrainLimits
from app.train import fused_optim
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


def cohort(optimizer: dict[str, Any]) -> list[Trainer]:
    """Three runs of one architecture and one optimizer setting (so they step fused)."""
    return [
        Trainer(
            TrainConfig(
                dataset={"name": "spiral", "n_samples": 60, "seed": seed},
                model={"kind": "mlp", "hidden": [6, 5], "activation": "tanh"},
                optimizer=optimizer,
                batch_size=8,
                seed=seed,
            ),
            LIMITS,
        )
        for seed in range(3)
    ]


def trained_together(trainers: list[Trainer], steps: int) -> tuple[list[list[float]], list[Any]]:
    losses = [[o.record.loss for o in step_together(trainers)] for _ in range(steps)]
    return losses, [[p.tolist() for p in t.parameters] for t in trainers]


def test_this_torch_passes_the_fused_check() -> None:
    assert fused_optim.CHECKS == {"Adam": None, "SGD": None}
    assert set(fused_optim.FUSED) == {torch.optim.Adam, torch.optim.SGD}


OPTIMIZERS = [
    {"name": "adam", "lr": 0.03},
    {"name": "sgd", "lr": 0.1, "momentum": 0.9},
    {"name": "sgd", "lr": 0.1},
]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: str(o))
def test_the_fallback_gives_the_fused_numbers(
    optimizer: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    steps_alone: list[int] = []

    def counted(original: Any) -> Any:
        def step(self: torch.optim.Optimizer, *args: Any, **kwargs: Any) -> Any:
            steps_alone.append(1)
            return original(self, *args, **kwargs)

        return step

    for kind in (torch.optim.Adam, torch.optim.SGD):  # count each run's own opt.step()
        monkeypatch.setattr(kind, "step", counted(kind.step))
    fused = trained_together(cohort(optimizer), 25)
    assert steps_alone == []  # one fused call per update, no run's own step
    monkeypatch.setattr(fused_optim, "FUSED", {})  # as when this torch fails the check
    fallback = trained_together(cohort(optimizer), 25)
    assert fallback == fused  # bit for bit: losses and every parameter
    assert len(steps_alone) == 3 * 25


def test_fused_and_alone_step_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    for optimizer in OPTIMIZERS:
        a, b = cohort(optimizer), cohort(optimizer)
        for t in a + b:  # the same gradients for both
            for p in t.parameters:
                p.grad = torch.cos(p.detach() * 7)
        fused_optim.step_optimizers([t.optimizer for t in a])
        fused_optim.step_optimizers([t.optimizer for t in b], fused=False)
        assert [[p.tolist() for p in t.parameters] for t in a] == [
            [p.tolist() for p in t.parameters] for t in b
        ]


def _no_group(self: Any, group: Any, params: Any) -> bool:
    return False


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        ("init_group_missing", "has no _init_group"),
        ("init_group_signature", "_init_group takes"),
        ("kernel_missing", "no functional kernel"),
        ("kernel_keywords", "kernel lacks"),
        ("step_differs", "differs from opt.step()"),
        ("step_raises", "trial Adam step failed"),
    ],
)
def test_the_check_refuses_an_unexpected_torch(
    patch: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments, kernel, settings, together = fused_optim.KINDS[torch.optim.Adam]
    if patch == "init_group_missing":
        monkeypatch.delattr(torch.optim.Adam, "_init_group")
    elif patch == "init_group_signature":
        monkeypatch.setattr(torch.optim.Adam, "_init_group", _no_group)
    elif patch == "kernel_missing":
        monkeypatch.setitem(
            fused_optim.KINDS, torch.optim.Adam, (arguments, None, settings, together)
        )
    elif patch == "kernel_keywords":
        monkeypatch.setitem(
            fused_optim.KINDS, torch.optim.Adam, (arguments, _no_group, settings, together)
        )
    else:

        def wrong(optimizers: list[Any]) -> None:
            if patch == "step_raises":
                raise RuntimeError("changed internals")
            together(optimizers)
            together(optimizers)  # two updates instead of one

        monkeypatch.setitem(
            fused_optim.KINDS, torch.optim.Adam, (arguments, kernel, settings, wrong)
        )
    reason = fused_optim.check_fused(torch.optim.Adam)
    assert reason is not None and words in reason
    monkeypatch.undo()
    assert fused_optim.check_fused(torch.optim.Adam) is None


def test_a_group_that_raises_fails_alone_and_the_others_updates_stand() -> None:
    # The culprit's weights of 3e38 overflow to inf − inf = NaN before its sigmoid, and BCE
    # refuses NaN; it shares the healthy runs' architecture but not their batch shape, so it
    # is a later group of the same call.
    base = {"dataset": {"name": "spiral", "n_samples": 200}, "loss": "bce"}
    healthy = [
        Trainer(TrainConfig(**base, model={"kind": "logistic"}, batch_size=10), LIMITS)
        for _ in range(2)
    ]
    culprit = Trainer(
        TrainConfig(**base, model={"kind": "logistic", "init": {"w": 3e38, "b": 0.0}}), LIMITS
    )
    outcomes = step_together([*healthy, culprit])
    assert isinstance(outcomes[2], RuntimeError)
    assert [o.record.step for o in outcomes[:2]] == [1, 1]  # type: ignore[union-attr]
    assert [t.step_count for t in healthy] == [1, 1]
