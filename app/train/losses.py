"""Losses and regularizers: tables from the public name to the torch function, with the rules of
seed 003's table (which output activation goes with which loss) as checks with explanations."""

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional

from app.errors import ErrorType, UserError


@dataclass(frozen=True)
class LossSpec:
    """A loss of the catalogue: the torch function and what it expects to compare."""

    fn: Callable[..., torch.Tensor]  # (output, target, reduction=...) → loss
    expects: str  # what the model's output must be, in words
    outputs: frozenset[str]  # output activations that make sense before this loss
    targets: str  # "real", "binary" or "class_index"
    doc: str


ANY_REAL = frozenset({"none", "sigmoid", "tanh"})

LOSSES: dict[str, LossSpec] = {
    "mse": LossSpec(
        functional.mse_loss, "any number", ANY_REAL | {"softmax"}, "real", "mean((y − y′)²)"
    ),
    "l1": LossSpec(
        functional.l1_loss, "any number", ANY_REAL | {"softmax"}, "real", "mean(|y − y′|)"
    ),
    "bce": LossSpec(
        functional.binary_cross_entropy,
        "a probability between 0 and 1 (a sigmoid output)",
        frozenset({"sigmoid"}),
        "binary",
        "−y·log(y′) − (1−y)·log(1−y′), for y = 0 or 1",
    ),
    "bce_with_logits": LossSpec(
        functional.binary_cross_entropy_with_logits,
        "a raw score (logit): the loss applies the sigmoid itself",
        frozenset({"none"}),
        "binary",
        "BCE of sigmoid(score), computed stably",
    ),
    "nll": LossSpec(
        functional.nll_loss,
        "log-probabilities (a log_softmax output)",
        frozenset({"log_softmax"}),
        "class_index",
        "−log_prob[true class]",
    ),
    "cross_entropy": LossSpec(
        functional.cross_entropy,
        "raw scores (logits), one per class: the loss applies log_softmax itself",
        frozenset({"none"}),
        "class_index",
        "−log softmax(scores)[true class]",
    ),
}

# Penalties on the weights (biases are not penalised, as in TensorFlow Playground).
REGULARIZERS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "none": lambda w: w.new_zeros(()),
    "l1": lambda w: w.abs().sum(),
    "l2": lambda w: (w * w).sum(),
}


def check_loss(*, loss: str, output: str, task: str, n_classes: int, kind: str) -> None:
    """Refuse a loss that does not fit the model's output or the data, saying why and what fits."""
    spec = LOSSES.get(loss)
    if spec is None:
        raise UserError(
            f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}", ErrorType.LOSS_ERROR
        )
    if kind == "perceptron" and task == "classification" and n_classes > 2:
        raise UserError(
            "a perceptron separates two classes; use logistic or mlp", ErrorType.MODEL_ERROR
        )
    if task == "regression" and spec.targets != "real":
        raise UserError(
            f"{loss} compares predictions with class labels, but this dataset's targets are real "
            "numbers (regression): use mse or l1",
            ErrorType.LOSS_MISMATCH,
        )
    if spec.targets == "binary" and n_classes > 2:
        raise UserError(
            f"{loss} is for two classes; this dataset has {n_classes}: use cross_entropy (or nll "
            "with a log_softmax output)",
            ErrorType.LOSS_MISMATCH,
        )
    if output not in spec.outputs:
        described = {
            "none": "any real number (no output activation)",
            "sigmoid": "a probability (sigmoid)",
            "tanh": "a number in (−1, 1) (tanh)",
            "softmax": "probabilities (softmax)",
            "log_softmax": "log-probabilities (log_softmax)",
        }[output]
        fix = {
            "bce": "put a sigmoid on the output, or use bce_with_logits, which applies it itself",
            "bce_with_logits": "leave the output without activation, or use bce with a sigmoid "
            "output (otherwise the sigmoid is applied twice)",
            "nll": "put log_softmax on the output, or use cross_entropy on raw scores",
            "cross_entropy": "leave the output without activation (otherwise softmax is "
            "applied twice), or use nll with a log_softmax output",
            "mse": "use an output of none, sigmoid or tanh",
            "l1": "use an output of none, sigmoid or tanh",
        }[loss]
        raise UserError(
            f"{loss} expects {spec.expects}, but the model's output is {described}: {fix} "
            "(seed 003's table: regression → linear output + MSE; binary → sigmoid + BCE or "
            "linear + BCEWithLogits; classes → log_softmax + NLL or linear + CrossEntropy)",
            ErrorType.LOSS_MISMATCH,
        )


def output_width(*, loss: str, task: str, n_classes: int, n_targets: int) -> int:
    """Units of the last layer: one per target, one for two classes under a binary loss, else
    one per class."""
    if task == "regression":
        return n_targets
    if LOSSES[loss].targets == "binary" or (LOSSES[loss].targets == "real" and n_classes == 2):
        return 1
    return n_classes


def prepare_targets(y: torch.Tensor, *, loss: str, task: str, n_classes: int) -> torch.Tensor:
    """Targets in the form the loss wants: floats [n, 1] or [n, k], or class indices [n]."""
    if task == "regression":
        return y.float()
    if LOSSES[loss].targets == "class_index":
        return y.long()
    if n_classes == 2:
        return y.float().unsqueeze(1)
    return functional.one_hot(y.long(), n_classes).float()


def regularization(*, kind: str, rate: float, weights: list[torch.Tensor]) -> torch.Tensor:
    """rate × the penalty summed over the weight matrices."""
    penalty = REGULARIZERS[kind]
    return rate * sum((penalty(w) for w in weights), weights[0].new_zeros(()))


def probabilities(out: torch.Tensor, *, loss: str, output: str, kind: str) -> torch.Tensor:
    """What the model predicts, as P(class 1) [n] for two classes or [n, k] for more."""
    if kind == "perceptron":
        return (out[:, 0] > 0).float()
    if output == "log_softmax":
        p = out.exp()
    elif output == "none" and out.shape[1] > 1:
        p = torch.softmax(out, 1)
    elif output == "none" and loss == "bce_with_logits":
        p = torch.sigmoid(out)
    elif output == "tanh":
        p = (out + 1) / 2
    else:
        p = out.clamp(0, 1)
    return p[:, 0] if p.shape[1] == 1 else (p[:, 1] if p.shape[1] == 2 else p)
