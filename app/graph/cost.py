"""The cost of a program before anything runs: every node's shape, inferred over the whole DAG
from the inputs' shapes alone, and from the shapes the elements, memory, work and answer size
of one evaluation, each held to its limit at the node that crosses it.

The shape rules of shapes.py run first, for a sentence a student understands. Then each op's
`out_shape` rule of the table gives its shape in plain Python (elementwise ops, full
reductions, losses; tests/graph/test_cost.py holds each rule to torch), and the other ops
(products, softmax, reductions along a dim, cross-entropy) are run on `device="meta"` tensors,
which carry a shape and a dtype but allocate nothing: torch itself says their shape.
"""

import math
from dataclasses import dataclass

import torch

from app.errors import ErrorType, LimitError, error_at
from app.graph.inputs import DTYPES, DType, Shape
from app.graph.limits import Limits
from app.graph.ops import OPS
from app.graph.program import Node, Program
from app.graph.shapes import check_shapes, node_position

Tensor = torch.Tensor
# The first meta product or loss loads torch's meta kernels (3-6 s): at import, not in the
# first request that needs one.
torch.matmul(torch.empty((2, 2), device="meta"), torch.empty((2, 2), device="meta"))
BACKWARD_WORK = 2  # a backward pass costs about twice its forward pass (two products per @)


@dataclass(frozen=True)
class Cost:
    """What one evaluation of a program will hold and do, known before it runs."""

    shapes: dict[str, Shape]  # node id → shape
    elements: int  # elements over every node's value
    bytes: int  # memory of every node's value and gradient
    flops: int  # estimated floating-point operations, forward and backward
    answer_numbers: int  # numbers the evaluate answer would carry (0 when not counted)


def _meta(shape: Shape, dtype: torch.dtype) -> Tensor:
    return torch.empty(shape, dtype=dtype, device="meta")


def _out_shape(node: Node, args: list[Tensor], source: str, limits: Limits) -> Shape:
    """The op's output shape: the table's rule in Python, else its function on meta tensors
    (allocating nothing)."""
    op = OPS[node.op or ""]
    if any(map(Tensor.dim, args)):
        check_shapes(node, args, source, limits)
    if op.out_shape is not None:
        shape = op.out_shape([tuple(a.shape) for a in args], node.static_args)
        if shape is not None:
            return shape
    try:
        out = op.fn(*args, *node.static_args)
    except NotImplementedError:
        # An op torch has no meta kernel for (every op of today's table has one, a test holds
        # it): run it on zeros of the argument shapes, each already within max_tensor_elements.
        zeros = [torch.zeros(a.shape, dtype=a.dtype) for a in args]
        out = op.fn(*zeros, *node.static_args)
    except (RuntimeError, ValueError, IndexError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error_at(
            source, *node.span, f"{node.label} can't be computed: {first}", ErrorType.VALUE_ERROR
        ) from None
    return tuple(out.shape)


def _forward_flops(node: Node, args: list[Tensor], out: Shape) -> int:
    """Floating-point operations of one op's forward pass: 2·m·n·k for a product, about one
    per element read or written for everything else."""
    numel = math.prod(out)
    if node.op == "matmul":
        inner = args[0].shape[-1]
        return 2 * max(numel, 1) * inner
    return numel + sum(a.numel() for a in args)


def infer_cost(
    program: Program,
    input_shapes: dict[str, Shape],
    *,
    dtype: DType,
    limits: Limits,
    count_answer: bool = True,
) -> Cost:
    """Every node's shape, and the evaluation's cost held to the limits, before any work.

    Raises a shape error at the operator whose arguments don't fit, or a LimitError at the
    first node that takes a tensor, the values, the memory, the work or (with `count_answer`,
    for an evaluate answer: every value and gradient, two numbers per edge) the answer over
    its limit."""
    torch_dtype = DTYPES[dtype]
    itemsize = torch.empty((), dtype=torch_dtype).element_size()
    shapes: dict[str, Shape] = {}
    metas: dict[str, Tensor] = {}
    elements = flops = answer = 0
    for node in program.nodes:
        if node.kind == "input":
            shape = input_shapes[node.id]
        elif node.kind == "const":
            shape = ()
        else:
            args = [metas[i] for i in node.inputs]
            shape = _out_shape(node, args, program.source, limits)
            flops += (1 + BACKWARD_WORK) * _forward_flops(node, args, shape)
        shapes[node.id] = shape
        metas[node.id] = _meta(shape, torch_dtype)
        numel = math.prod(shape)
        elements += numel
        answer += 2 * numel + 2 * len(node.inputs) if count_answer else 0
        memory = 2 * elements * itemsize  # a value and its gradient
        _check(program.source, node, numel, elements, memory, flops, answer, limits)
    return Cost(shapes, elements, 2 * elements * itemsize, flops, answer)


def _check(
    source: str,
    node: Node,
    numel: int,
    elements: int,
    memory: int,
    flops: int,
    answer: int,
    limits: Limits,
) -> None:
    """Raise a LimitError at `node` for the first limit the totals up to it cross."""
    if (
        numel <= limits.max_tensor_elements
        and elements <= limits.max_graph_elements
        and memory <= limits.max_bytes
        and flops <= limits.max_flops
        and answer <= limits.max_answer_numbers
    ):
        return
    where = node_position(source, node)  # only for the error: it counts lines of the source
    label = node.label
    if numel > limits.max_tensor_elements:
        raise LimitError(
            f"'{label}' would have {numel} elements; the limit is {limits.max_tensor_elements}",
            **where,
        )
    if elements > limits.max_graph_elements:
        raise LimitError(
            f"the values up to '{label}' would hold {elements} elements; the limit for one "
            f"evaluation is {limits.max_graph_elements}",
            **where,
        )
    if memory > limits.max_bytes:
        raise LimitError(
            f"the values and gradients up to '{label}' would take {memory} bytes; the limit "
            f"for one evaluation is {limits.max_bytes}",
            **where,
        )
    if flops > limits.max_flops:
        raise LimitError(
            f"the work up to '{label}' is about {flops:.3g} floating-point operations; the "
            f"limit for one evaluation is {limits.max_flops:.3g}",
            **where,
        )
    if answer > limits.max_answer_numbers:
        raise LimitError(
            f"the answer up to '{label}' would carry {answer} numbers (every value and "
            f"gradient); the limit is {limits.max_answer_numbers}: evaluate smaller tensors",
            **where,
        )
