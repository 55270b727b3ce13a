"""Models: one table from the public kind to a builder; activations and outputs are tables too.

Parameters are initialised from a `torch.Generator` seeded by the run's seed (the same scheme as
`nn.Linear.reset_parameters`), and dropout draws its masks from its own generator, so runs on
concurrent threads never share the global random state.
"""

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn

from app.errors import ErrorType, LimitError, UserError
from app.settings import TrainLimits

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "linear": nn.Identity,
}

# Output activations: what the last layer's numbers are turned into.
OUTPUTS: dict[str, Callable[[], nn.Module]] = {
    "none": nn.Identity,  # any real number (a score, a logit, a regression value)
    "sigmoid": nn.Sigmoid,  # a probability in (0, 1)
    "tanh": nn.Tanh,  # a value in (−1, 1)
    "softmax": lambda: nn.Softmax(dim=1),  # probabilities over classes, summing to 1
    "log_softmax": lambda: nn.LogSoftmax(dim=1),  # log-probabilities over classes
}


class SeededDropout(nn.Module):
    """Dropout whose masks come from the model's own generator (deterministic per run)."""

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__()
        self.p = p
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.generator) >= self.p
        return x * keep / (1 - self.p)


class Network(nn.Module):
    """Linear layers with an activation after each hidden one, then an output activation."""

    def __init__(
        self,
        *,
        sizes: list[int],
        activations: list[str],
        output: str,
        dropout: float,
        generator: torch.Generator,
    ) -> None:
        super().__init__()
        self.sizes = sizes
        self.activation_names = activations
        self.output_name = output
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        # A plain list too: the ModuleList is walked per update, and its lookups add up.
        self._linears = [cast(nn.Linear, layer) for layer in self.layers]
        self.activations = nn.ModuleList(ACTIVATIONS[a]() for a in activations)
        self.dropout = SeededDropout(dropout, generator) if dropout > 0 else None
        self.output = OUTPUTS[output]()

    @property
    def linears(self) -> list[nn.Linear]:
        """The linear layers, first to last."""
        return self._linears

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < last:
                x = self.activations[i](x)
                if self.dropout is not None:
                    x = self.dropout(x)
        return self.output(x)

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """The last layer's output before the output activation."""
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self.activations[i](x)
        return x


@dataclass(frozen=True)
class ModelSpec:
    """What the user asked for, resolved: layer sizes, activations and output."""

    kind: str
    hidden: list[int] = field(default_factory=list)
    activations: list[str] = field(default_factory=list)
    output: str = "none"
    dropout: float = 0.0


@dataclass(frozen=True)
class ModelKind:
    """A model kind of the catalogue."""

    doc: str
    hidden_allowed: bool  # whether `hidden` layers may be given
    auto_output: Callable[[str], str]  # the output activation chosen for a loss when "auto"


def _output_for_loss(loss: str) -> str:
    return {"bce": "sigmoid", "nll": "log_softmax"}.get(loss, "none")


def _logistic_output(loss: str) -> str:
    # Logistic regression's sigmoid lives in the loss when the loss takes logits (seed 003).
    return {"nll": "log_softmax", "bce_with_logits": "none", "cross_entropy": "none"}.get(
        loss, "sigmoid"
    )


MODELS: dict[str, ModelKind] = {
    "linear": ModelKind(
        "y = w·x + b: one linear layer; its output is any real number.", False, lambda loss: "none"
    ),
    "perceptron": ModelKind(
        "One linear unit; it predicts class 1 where w·x + b > 0 (a step), trained on its score.",
        False,
        lambda loss: "none",
    ),
    "logistic": ModelKind(
        "Logistic regression: one linear layer whose output is a probability (sigmoid, or the "
        "softmax inside cross-entropy for 3+ classes).",
        False,
        _logistic_output,
    ),
    "mlp": ModelKind(
        "Multi-layer perceptron: hidden linear layers, each followed by its activation.",
        True,
        _output_for_loss,
    ),
}


def resolve_model(config: dict[str, Any], *, loss: str, limits: TrainLimits) -> ModelSpec:
    """Check a model configuration and fill in its defaults."""
    kind = config.get("kind")
    if kind not in MODELS:
        raise UserError(
            f"unknown model kind {kind!r}; choose one of {', '.join(MODELS)}", ErrorType.MODEL_ERROR
        )
    hidden = list(config.get("hidden") or [])
    if hidden and not MODELS[kind].hidden_allowed:
        raise UserError(
            f"a {kind} model has no hidden layers; use kind 'mlp'", ErrorType.MODEL_ERROR
        )
    if len(hidden) > limits.max_hidden_layers:
        raise LimitError(f"an MLP may have at most {limits.max_hidden_layers} hidden layers")
    if any(not isinstance(h, int) or h < 1 or h > limits.max_units for h in hidden):
        raise LimitError(f"each hidden layer needs 1 to {limits.max_units} units")
    activation = config.get("activation", "relu")
    activations = [activation] * len(hidden) if isinstance(activation, str) else list(activation)
    if len(activations) != len(hidden):
        raise UserError(
            f"give one activation per hidden layer ({len(hidden)}), or one name for all",
            ErrorType.MODEL_ERROR,
        )
    for a in activations:
        if a not in ACTIVATIONS:
            raise UserError(
                f"unknown activation {a!r}; choose one of {', '.join(ACTIVATIONS)}",
                ErrorType.MODEL_ERROR,
            )
    output = config.get("output", "auto")
    if output == "auto":
        output = MODELS[kind].auto_output(loss)
    if output not in OUTPUTS:
        raise UserError(
            f"unknown output activation {output!r}; choose auto or one of {', '.join(OUTPUTS)}",
            ErrorType.MODEL_ERROR,
        )
    if kind == "perceptron" and output != "none":
        raise UserError(
            "a perceptron's output is its score; leave output as auto", ErrorType.MODEL_ERROR
        )
    dropout = float(config.get("dropout", 0.0))
    if not 0 <= dropout < 1:
        raise UserError("dropout is a probability: at least 0 and below 1", ErrorType.MODEL_ERROR)
    return ModelSpec(kind, hidden, activations, output, dropout)


def _fill(param: torch.Tensor, value: Any, name: str) -> None:
    try:
        given = torch.as_tensor(value, dtype=param.dtype)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        raise UserError(
            f"init {name!r} must be a number or nested lists of numbers, not {value!r}",
            ErrorType.MODEL_ERROR,
        ) from None
    if not bool(torch.isfinite(given).all()):
        raise UserError(f"init {name!r} must be finite numbers", ErrorType.MODEL_ERROR)
    if given.dim() == 0:
        param.fill_(given)
        return
    if given.numel() != param.numel():
        raise UserError(
            f"init {name!r} has {given.numel()} numbers; the parameter has shape "
            f"{list(param.shape)}",
            ErrorType.MODEL_ERROR,
        )
    param.copy_(given.reshape(param.shape))


def parameter_names(model: Network) -> list[str]:
    """Names `init` accepts: `w` and `b` for a one-layer model, `layerN.weight`/`layerN.bias`."""
    if len(model.layers) == 1:
        return ["w", "b"]
    return [f"layer{i + 1}.{p}" for i in range(len(model.layers)) for p in ("weight", "bias")]


def build_model(
    spec: ModelSpec,
    *,
    n_inputs: int,
    n_outputs: int,
    seed: int,
    limits: TrainLimits,
    init: dict[str, Any] | None = None,
) -> Network:
    """Build the network and initialise it from `seed` (then from `init`, where given)."""
    sizes = [n_inputs, *spec.hidden, n_outputs]
    n_params = sum(a * b + b for a, b in itertools.pairwise(sizes))
    if n_params > limits.max_parameters:
        raise LimitError(
            f"the model would have {n_params} parameters; the limit is {limits.max_parameters}"
        )
    generator = torch.Generator().manual_seed(seed)
    model = Network(
        sizes=sizes,
        activations=spec.activations,
        output=spec.output,
        dropout=spec.dropout,
        generator=generator,
    )
    with torch.no_grad():
        for layer in model.linears:
            # The same distribution as nn.Linear.reset_parameters, from our own generator.
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
        names = parameter_names(model)
        for key, value in (init or {}).items():
            if key not in names:
                raise UserError(
                    f"init has no parameter {key!r}; this model's are {', '.join(names)}",
                    ErrorType.MODEL_ERROR,
                )
            if key in ("w", "b"):
                layer = model.linears[0]
                _fill(layer.weight if key == "w" else layer.bias, value, key)
            else:
                index, which = key.removeprefix("layer").split(".")
                _fill(getattr(model.linears[int(index) - 1], which), value, key)
    return model
