"""A run's model as a Graph lab program: the graph engine's loss and gradients equal the
trainer's own autograd on the same batch (the oracle)."""

from typing import Any

import pytest
import torch

from app.graph.engine import evaluate
from app.graph.program import parse_program
from app.settings import Settings, TrainLimits
from app.train.program import model_program
from app.train.trainer import TrainConfig, Trainer

LIMITS = TrainLimits()
EVAL_LIMITS = Settings().evaluation_limits()

CASES: list[tuple[str, dict[str, Any], str, dict[str, Any] | None]] = [
    ("plane", {"kind": "mlp", "hidden": [4], "activation": "relu"}, "mse", None),
    ("sine", {"kind": "mlp", "hidden": [3, 3], "activation": ["tanh", "gelu"]}, "l1", None),
    ("circle", {"kind": "mlp", "hidden": [4], "activation": "sigmoid"}, "bce", None),
    (
        "spiral",
        {"kind": "mlp", "hidden": [5], "activation": "leaky_relu"},
        "bce_with_logits",
        {"kind": "l2", "rate": 0.01},
    ),
    ("blobs", {"kind": "mlp", "hidden": [4], "activation": "tanh"}, "nll", None),
    ("blobs", {"kind": "logistic"}, "cross_entropy", {"kind": "l1", "rate": 0.1}),
    ("thermometer", {"kind": "linear", "init": {"w": 1.0, "b": 0.0}}, "mse", None),
]


@pytest.mark.parametrize(("dataset", "model", "loss", "reg"), CASES)
def test_graph_lab_agrees_with_the_trainer(
    dataset: str, model: dict[str, Any], loss: str, reg: dict[str, Any] | None
) -> None:
    trainer = Trainer(
        TrainConfig(
            dataset={"name": dataset, "n_samples": 40}
            if dataset != "thermometer"
            else {"name": dataset},
            model=model,
            loss=loss,
            regularization=reg,
            batch_size=8,
        ),
        LIMITS,
    )
    for _ in range(3):
        trainer.step()
    request = model_program(trainer)
    program = parse_program(
        request["source"], max_chars=20_000, max_statements=100, max_nodes=2_000
    )
    result = evaluate(program, request["values"], output="loss", limits=EVAL_LIMITS)
    # The oracle: the trainer's own forward and autograd on the same batch and weights.
    x, y = trainer.last_batch  # type: ignore[misc]
    out = trainer.model(x)
    want = trainer.loss_fn(out, y) + (trainer.penalty() if trainer.reg_rate else 0)
    first = trainer.model.linears[0].weight
    (want_grad,) = torch.autograd.grad(want, first)
    got = result.values[program.names["loss"]]
    got_grad = result.grads[program.names["W1"]]
    assert float(got.detach()) == pytest.approx(float(want.detach()), rel=1e-4, abs=1e-6)
    assert torch.allclose(got_grad.float(), want_grad, rtol=1e-3, atol=1e-6)
