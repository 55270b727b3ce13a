"""Tensors → plain Python numbers and nested lists, for the edge (the routes) to put in JSON.

The core returns tensors; the routes import no torch, so every conversion happens here, and
the routes only arrange these plain values into the answer's dict."""

from typing import Any

import torch

from app.graph.engine import Evaluation
from app.graph.forward import Clock

Tensor = torch.Tensor


def as_python(tensors: list[Tensor], clock: Clock | None = None) -> list[Any]:
    """Tensors → floats or nested lists; all the scalars go through one stack for speed.

    With a clock, it is checked before each tensor (the answer's size was bounded before the
    evaluation ran, by max_answer_numbers; the clock bounds a machine slower than measured)."""
    out: list[Any] = [None] * len(tensors)
    scalar_at = [i for i, t in enumerate(tensors) if t.dim() == 0]
    if scalar_at:
        stacked = torch.stack([tensors[i].detach() for i in scalar_at]).tolist()
        for i, v in zip(scalar_at, stacked, strict=True):
            out[i] = v
    for i, t in enumerate(tensors):
        if t.dim() != 0:
            if clock is not None:
                clock.check()
            out[i] = t.detach().tolist()
    return out


def named_tensors(tensors: dict[str, Tensor]) -> dict[str, Any]:
    """{name: tensor} → {name: float or nested lists}."""
    return dict(zip(tensors, as_python(list(tensors.values())), strict=True))


def node_numbers(ev: Evaluation) -> tuple[list[Any], list[Any], list[list[int]]]:
    """Every node's value, gradient and shape as plain Python, in forward order."""
    nodes = ev.program.nodes
    values = as_python([ev.values[n.id] for n in nodes], ev.clock)
    grads = as_python([ev.grads[n.id] for n in nodes], ev.clock)
    shapes = [list(ev.values[n.id].shape) for n in nodes]
    return values, grads, shapes


def history_entries(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gradient descent's history with each entry's parameter tensors as plain Python."""
    return [
        {**entry, "params": named_tensors(entry["params"])} if "params" in entry else entry
        for entry in history
    ]
