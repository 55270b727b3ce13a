"""Ops marked `single` in the table are one autograd function of exactly their arguments: the
node-by-node backward pass relies on it."""

import pytest
import torch

from app.graph.ops import OPS

SHAPES = [(), (3,), (2, 3)]


def _args(op_name: str, shape: tuple[int, ...], n: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    args = [torch.rand(shape, generator=gen).add(0.1).requires_grad_(True) for _ in range(n)]
    if op_name == "bce":
        args[1] = torch.rand(shape, generator=gen).requires_grad_(True)
    return args


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", [op for op in OPS.values() if op.single], ids=lambda op: op.name)
def test_a_single_op_is_one_function_of_its_arguments(op: object, shape: tuple[int, ...]) -> None:
    for n in range(op.min_args, op.max_args + 1):  # type: ignore[attr-defined]
        static_from = op.static_from  # type: ignore[attr-defined]
        if static_from is not None and n > static_from:
            if not shape:
                continue  # a scalar has no dimension to reduce along
            args = _args(op.name, shape, static_from)  # type: ignore[attr-defined]
            out = op.fn(*args, -1)  # type: ignore[attr-defined]
            n = static_from
        else:
            args = _args(op.name, shape, n)  # type: ignore[attr-defined]
            out = op.fn(*args)  # type: ignore[attr-defined]
        nexts = out.grad_fn.next_functions
        assert len(nexts) == n
        for (next_fn, _), arg in zip(nexts, args, strict=True):
            assert next_fn.variable is arg
