"""What the op table's entries call that torch does not offer as one function: shape rules and
small wrappers with the language's argument conventions (ops.py names them)."""

from collections.abc import Callable

import torch
import torch.nn.functional as F  # noqa: N812

Tensor = torch.Tensor
ShapeRule = Callable[..., int | str]  # tensor arguments → output elements, or why they don't fit
Shape = tuple[int, ...]
# Argument shapes and static arguments → the output's shape, or None to ask torch (the op on
# meta tensors). Only for shapes already checked to fit (shapes.py's rules run first).
OutShape = Callable[[list[Shape], tuple[int, ...]], Shape | None]


def same_shape(shapes: list[Shape], static: tuple[int, ...]) -> Shape:
    return shapes[0]


def broadcast(a: Shape, b: Shape) -> Shape | None:
    """NumPy broadcasting of two shapes, or None when they don't fit (torch.broadcast_shapes
    takes about 1 ms a call; this a microsecond)."""
    out: list[int] = []
    for k in range(1, max(len(a), len(b)) + 1):
        x = a[-k] if k <= len(a) else 1
        y = b[-k] if k <= len(b) else 1
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


def broadcast_shape(shapes: list[Shape], static: tuple[int, ...]) -> Shape | None:
    return broadcast(shapes[0], shapes[1])


def one_number(shapes: list[Shape], static: tuple[int, ...]) -> Shape:
    return ()


def all_or_broadcast(shapes: list[Shape], static: tuple[int, ...]) -> Shape | None:
    """min(x), max(x): one number; min(a, b), max(a, b): elementwise."""
    return () if len(shapes) == 1 else broadcast_shape(shapes, static)


def all_or_dim(shapes: list[Shape], static: tuple[int, ...]) -> Shape | None:
    """sum(x), mean(x): one number; along a dimension, torch says (and checks the dim)."""
    return None if static else ()


def matmul_shapes(a: Tensor, b: Tensor) -> int | str:
    if a.dim() == 0 or b.dim() == 0:
        return (
            f"'@' multiplies vectors and matrices, but got shapes {list(a.shape)} and "
            f"{list(b.shape)}; use '*' for a number."
        )
    try:
        meta = torch.matmul(
            torch.empty(a.shape, device="meta"), torch.empty(b.shape, device="meta")
        )
    except RuntimeError:
        inner_b = b.shape[-2] if b.dim() > 1 else b.shape[0]
        return (
            f"'@' needs the inner sizes to agree, but got shapes {list(a.shape)} @ "
            f"{list(b.shape)} ({a.shape[-1]} ≠ {inner_b})."
        )
    return meta.numel()


def same_shapes(name: str) -> ShapeRule:
    def rule(prediction: Tensor, target: Tensor) -> int | str:
        if prediction.shape != target.shape:
            return (
                f"{name} needs the prediction and the target in the same shape, but got "
                f"{list(prediction.shape)} and {list(target.shape)}."
            )
        return 1

    return rule


def reduction(
    all_fn: Callable[[Tensor], Tensor], dim_fn: Callable[..., Tensor]
) -> Callable[..., Tensor]:
    def run(x: Tensor, dim: int | None = None) -> Tensor:
        return all_fn(x) if dim is None else dim_fn(x, dim)

    return run


def minimum(x: Tensor, y: Tensor | None = None) -> Tensor:
    return torch.amin(x) if y is None else torch.minimum(x, y)


def maximum(x: Tensor, y: Tensor | None = None) -> Tensor:
    return torch.amax(x) if y is None else torch.maximum(x, y)


def transpose(x: Tensor) -> Tensor:
    return torch.t(x) if x.dim() <= 2 else x.mT


def cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    # One dimension fewer than the logits: class indices; same shape: class probabilities.
    if target.dim() == logits.dim() - 1:
        return F.cross_entropy(logits, target.detach().long())
    return F.cross_entropy(logits, target)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    return torch.softmax(x, dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    return torch.log_softmax(x, dim)
