"""Forward and backward with PyTorch autograd: every node's value and gradient, and for every
edge the local derivative and its contribution, as autograd itself computed them."""

import math
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from app.errors import ErrorType, LimitError, UserError, error_at
from app.graph.limits import Limits
from app.graph.ops import OPS
from app.graph.program import Node, Program

Tensor = torch.Tensor
DTYPES = {"float32": torch.float32, "float64": torch.float64}
DType = Literal["float32", "float64"]
_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


@dataclass(slots=True)
class Edge:
    """One use of `source` as argument `argument` of `target`."""

    source: str
    target: str
    argument: int
    local_grad: float | None  # ∂target/∂source, when both ends are scalars
    contribution: float | None  # upstream gradient × local_grad


@dataclass
class Evaluation:
    """The result of a forward and a backward pass."""

    program: Program
    output: str
    dtype: DType
    seed: Literal["scalar", "sum"]
    values: dict[str, Tensor]
    grads: dict[str, Tensor]
    edges: list[Edge]
    nudge: dict[str, Any] | None = None
    seconds: float = 0.0  # wall time of forward + backward


@dataclass
class _Clock:
    limit: float
    start: float = field(default_factory=time.perf_counter)

    def check(self) -> None:
        if time.perf_counter() - self.start > self.limit:
            raise LimitError(f"the evaluation took longer than {self.limit:g} s")


def _decode(value: Any) -> Any:
    """JSON value → nested floats; "NaN", "Infinity", "-Infinity" strings become floats."""
    if isinstance(value, str):
        if value in _NONFINITE:
            return _NONFINITE[value]
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def input_tensor(name: str, value: Any, dtype: DType, limits: Limits) -> Tensor:
    """Turn a request value (number or nested lists) into a tensor, or explain why not."""
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        raise UserError(
            f"the value of {name} must be a number or nested lists of numbers.",
            ErrorType.INVALID_VALUE,
        )
    try:
        if isinstance(value, float | int):
            return torch.tensor(float(value), dtype=DTYPES[dtype])
        tensor = torch.tensor(_decode(value), dtype=DTYPES[dtype])
    except (ValueError, TypeError, RuntimeError, OverflowError) as exc:
        raise UserError(
            f"the value of {name} is not a tensor: {exc}. Rows of a matrix must have equal "
            "lengths and contain only numbers.",
            ErrorType.INVALID_VALUE,
        ) from None
    except RecursionError:
        raise LimitError(f"the value of {name} is nested too deeply") from None
    if tensor.dim() > limits.max_dims:
        raise LimitError(
            f"the value of {name} has {tensor.dim()} dimensions; the limit is {limits.max_dims}"
        )
    if tensor.numel() > limits.max_tensor_elements:
        raise LimitError(
            f"the value of {name} has {tensor.numel()} elements; the limit is "
            f"{limits.max_tensor_elements}"
        )
    if tensor.numel() == 0:
        raise UserError(f"the value of {name} is empty.", ErrorType.INVALID_VALUE)
    return tensor


def _shape(t: Tensor) -> list[int]:
    return list(t.shape)


def _check_shapes(node: Node, args: list[Tensor], source: str, limits: Limits) -> None:
    """Refuse mismatched or oversized shapes before torch allocates anything."""
    op = OPS[node.op or ""]
    if op.elementwise and len(args) == 2:
        try:
            out = torch.broadcast_shapes(args[0].shape, args[1].shape)
        except RuntimeError:
            raise error_at(
                source,
                *node.span,
                f"the shapes {_shape(args[0])} and {_shape(args[1])} don't fit together for "
                f"'{op.symbol}': each dimension must be equal, or 1 in one of them.",
                ErrorType.SHAPE_ERROR,
            ) from None
        numel = math.prod(out)
    elif op.name == "matmul":
        a, b = args
        if a.dim() == 0 or b.dim() == 0:
            raise error_at(
                source,
                *node.span,
                f"'@' multiplies vectors and matrices, but got shapes {_shape(a)} and "
                f"{_shape(b)}; use '*' for a number.",
                ErrorType.SHAPE_ERROR,
            )
        try:
            numel = torch.matmul(
                torch.empty(a.shape, device="meta"), torch.empty(b.shape, device="meta")
            ).numel()
        except RuntimeError:
            inner_a = a.shape[-1]
            inner_b = b.shape[-2] if b.dim() > 1 else b.shape[0]
            raise error_at(
                source,
                *node.span,
                f"'@' needs the inner sizes to agree, but got shapes {_shape(a)} @ {_shape(b)} "
                f"({inner_a} ≠ {inner_b}).",
                ErrorType.SHAPE_ERROR,
            ) from None
    elif op.name in ("mse", "bce") and args[0].shape != args[1].shape:
        raise error_at(
            source,
            *node.span,
            f"{op.name} needs the prediction and the target in the same shape, but got "
            f"{_shape(args[0])} and {_shape(args[1])}.",
            ErrorType.SHAPE_ERROR,
        )
    else:
        return
    if numel > limits.max_tensor_elements:
        raise LimitError(
            f"'{node.label}' would have {numel} elements; the limit is "
            f"{limits.max_tensor_elements}",
            **_pos(source, node),
        )


def _pos(source: str, node: Node) -> dict[str, Any]:
    err = error_at(source, *node.span, "")
    return {"line": err.line, "column": err.column, "span": err.span}


def forward(
    program: Program,
    inputs: dict[str, Tensor],
    *,
    dtype: DType,
    limits: Limits,
    clock: _Clock | None = None,
    consts_require_grad: bool = True,
) -> dict[str, Tensor]:
    """Compute every node's value in forward order."""
    clock = clock or _Clock(limits.max_seconds)
    torch_dtype = DTYPES[dtype]
    values: dict[str, Tensor] = {}
    held = 0  # elements over all values so far: what the evaluation holds in memory
    for node in program.nodes:
        if node.kind == "input":
            values[node.id] = inputs[node.id]
        elif node.kind == "const":
            values[node.id] = torch.tensor(
                node.const, dtype=torch_dtype, requires_grad=consts_require_grad
            )
        else:
            args = [values[i] for i in node.inputs]
            if any(map(Tensor.dim, args)):
                _check_shapes(node, args, program.source, limits)
            try:
                out = OPS[node.op or ""].fn(*args, *node.static_args)
            except (RuntimeError, ValueError, IndexError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise error_at(
                    program.source,
                    *node.span,
                    f"{node.label} can't be computed: {first}",
                    ErrorType.VALUE_ERROR,
                ) from None
            if out.numel() > limits.max_tensor_elements:
                raise LimitError(
                    f"'{node.label}' has {out.numel()} elements; the limit is "
                    f"{limits.max_tensor_elements}",
                    **_pos(program.source, node),
                )
            values[node.id] = out
            held += out.numel()
            if held > limits.max_graph_elements:
                raise LimitError(
                    f"the values up to '{node.label}' hold {held} elements; the limit for one "
                    f"evaluation is {limits.max_graph_elements}",
                    **_pos(program.source, node),
                )
            clock.check()
    return values


def prepare_inputs(
    program: Program, values: dict[str, Any], *, dtype: DType, limits: Limits
) -> dict[str, Tensor]:
    """Check that the values match the program's inputs and turn them into tensors."""
    missing = [n for n in program.inputs if n not in values]
    if missing:
        raise UserError(
            f"no value given for input{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
            ErrorType.MISSING_VALUE,
            names=missing,
        )
    extra = [n for n in values if n not in program.inputs]
    if extra:
        assigned = [n for n in extra if n in program.names]
        why = (
            f"{assigned[0]} is computed by the program, so it can't be given a value."
            if assigned
            else f"the program has no input named {extra[0]}."
        )
        raise UserError(why, ErrorType.UNKNOWN_VALUE, names=extra)
    tensors = {name: input_tensor(name, values[name], dtype, limits) for name in program.inputs}
    total = sum(t.numel() for t in tensors.values())
    if total > limits.max_total_elements:
        raise LimitError(
            f"the input values have {total} elements; the limit is {limits.max_total_elements}"
        )
    return tensors


def resolve_output(program: Program, output: str | None) -> str:
    """The output's node id: the named node, or the last assigned name by default."""
    if output is None:
        output = program.default_output
        if output is None:
            raise UserError(
                "the program is empty: write a statement such as z = 2*(a - b) + c.",
                ErrorType.EMPTY_PROGRAM,
            )
    if output not in program.names:
        raise UserError(
            f"the program has no name {output} to use as the output.",
            ErrorType.UNKNOWN_OUTPUT,
            names=[output],
        )
    return program.names[output]


def evaluate(
    program: Program,
    values: dict[str, Any],
    *,
    output: str | None = None,
    dtype: DType = "float32",
    limits: Limits,
    nudge: dict[str, Any] | None = None,
    with_edges: bool = True,
) -> Evaluation:
    """Forward + backward: every node's value and gradient, every edge's contribution.

    Without `with_edges`, edges carry no local derivative or contribution (a big graph's
    values and gradients come faster)."""
    output_id = resolve_output(program, output)
    inputs = prepare_inputs(program, values, dtype=dtype, limits=limits)
    clock = _Clock(limits.max_seconds)
    with torch.enable_grad():
        for t in inputs.values():
            t.requires_grad_(True)
        vals = forward(program, inputs, dtype=dtype, limits=limits, clock=clock)
        out = vals[output_id]
        seed: Literal["scalar", "sum"] = "scalar" if out.numel() == 1 else "sum"

        # With edges, backpropagate op by op: each op's backward function hands over its
        # edges' contributions on the way. Without, autograd's engine does it in one call.
        sent: dict[str, tuple[Tensor | None, ...]] = {}
        if with_edges and _maps_directly(program, vals):
            grads = _backward_node_by_node(program, vals, output_id, sent)
        else:
            grads = _backward_by_engine(program, vals, out)
        clock.check()
        edges = (
            _edges(program, vals, grads, sent)
            if with_edges
            else [
                Edge(src, n.id, k, None, None)
                for n in program.nodes
                for k, src in enumerate(n.inputs)
            ]
        )
    seconds = time.perf_counter() - clock.start
    result = Evaluation(program, output_id, dtype, seed, vals, grads, edges, seconds=seconds)
    if nudge is not None:
        result.nudge = _nudge(program, inputs, vals, grads, output_id, dtype, limits, **nudge)
    return result


def _maps_directly(program: Program, vals: dict[str, Tensor]) -> bool:
    """True when every op node is one autograd function whose inputs are exactly the node's
    arguments (so its backward function's outputs are the edges' contributions). Ops of the
    table marked `single` are, by construction; the others are checked."""
    for node in program.nodes:
        if node.kind != "op" or OPS[node.op or ""].single:
            continue
        fn = vals[node.id].grad_fn
        if fn is None:
            return False
        nexts = fn.next_functions
        if len(nexts) != len(node.inputs):
            return False
        for (next_fn, _), src in zip(nexts, node.inputs, strict=True):
            arg = vals[src]
            if arg.grad_fn is not None:
                if next_fn is not arg.grad_fn:
                    return False
            elif next_fn is None or getattr(next_fn, "variable", None) is not arg:
                return False
    return True


def _backward_node_by_node(
    program: Program,
    vals: dict[str, Tensor],
    output_id: str,
    sent: dict[str, tuple[Tensor | None, ...]],
) -> dict[str, Tensor]:
    """Backpropagation as micrograd writes it: in reverse forward order, each op's own autograd
    backward function turns the node's gradient into one contribution per argument, and
    contributions to a node used more than once are summed. `sent` receives the contributions.
    """
    grads: dict[str, Tensor] = {output_id: torch.ones_like(vals[output_id])}
    with torch.no_grad():
        for node in reversed(program.nodes):
            upstream = grads.get(node.id)
            if node.kind != "op" or upstream is None:
                continue
            flows = vals[node.id].grad_fn(upstream)  # type: ignore[misc,operator]
            flows = flows if type(flows) is tuple else (flows,)
            if upstream.dim():  # a tensor op may have broadcast an argument: sum the flow back
                flows = tuple(  # to the argument's shape, as autograd's engine does
                    f.sum_to_size(vals[src].shape)
                    if f is not None and f.shape != vals[src].shape
                    else f
                    for src, f in zip(node.inputs, flows, strict=True)
                )
            sent[node.id] = flows
            for src, flow in zip(node.inputs, flows, strict=True):
                if flow is not None:
                    have = grads.get(src)
                    grads[src] = flow if have is None else have + flow
    return {
        n.id: grads[n.id] if n.id in grads else torch.zeros_like(vals[n.id]) for n in program.nodes
    }


def _backward_by_engine(
    program: Program, vals: dict[str, Tensor], out: Tensor
) -> dict[str, Tensor]:
    """One backward pass of autograd's engine, asked for the gradient at every node (the
    fan-in sums included); for ops torch builds from several functions."""
    tensors = [vals[n.id] for n in program.nodes]
    try:
        found = torch.autograd.grad(
            out, tensors, torch.ones_like(out), retain_graph=True, allow_unused=True
        )
    except RuntimeError as exc:
        raise UserError(
            f"the gradient can't be computed: {str(exc).splitlines()[0]}", ErrorType.VALUE_ERROR
        ) from None
    return {
        n.id: torch.zeros_like(t) if g is None else g
        for n, t, g in zip(program.nodes, tensors, found, strict=True)
    }


def _edges(
    program: Program,
    vals: dict[str, Tensor],
    grads: dict[str, Tensor],
    sent: dict[str, tuple[Tensor | None, ...]],
) -> list[Edge]:
    """One edge per use; local derivative and contribution where both ends are scalars.

    The contributions are what the target's own backward function (autograd's) sends to each
    argument given the target's gradient; the local derivative is that divided by the
    gradient, or the backward function's answer to an upstream of 1 where the gradient is 0."""
    edges: list[Edge] = []
    flows: list[Tensor] = []  # contributions to convert, in one stack
    flows_at: list[tuple[Edge, str]] = []
    scalar = {node_id: t.dim() == 0 for node_id, t in vals.items()}
    with torch.no_grad():
        for node in program.nodes:
            if node.kind != "op":
                continue
            node_id, inputs = node.id, node.inputs
            if not scalar[node_id]:
                edges.extend(Edge(src, node_id, k, None, None) for k, src in enumerate(inputs))
                continue
            out_flows = sent.get(node_id)
            if out_flows is None:
                args = [vals[i] for i in inputs]
                out_flows = _backward_of(vals[node_id], grads[node_id], args)
            for k, src in enumerate(inputs):
                edge = Edge(src, node_id, k, None, None)
                edges.append(edge)
                if scalar[src]:
                    flow = out_flows[k]
                    flows.append(_NAN if flow is None else flow)
                    flows_at.append((edge, node_id))
    if not flows:
        return edges
    targets = list(dict.fromkeys(target for _, target in flows_at))
    upstream = dict(zip(targets, torch.stack([grads[i] for i in targets]).tolist(), strict=True))
    for (edge, target), contribution in zip(flows_at, torch.stack(flows).tolist(), strict=True):
        up = upstream[target]
        if math.isfinite(up) and up != 0 and not math.isnan(contribution):
            edge.contribution, edge.local_grad = contribution, contribution / up
        else:
            t = vals[target]
            args = [vals[i] for i in program.node(target).inputs]
            with torch.no_grad():
                local = _backward_of(t, torch.ones_like(t), args)[edge.argument]
            edge.local_grad = float(local) if local is not None else 0.0
            edge.contribution = up * edge.local_grad
    return edges


_NAN = torch.tensor(math.nan, dtype=torch.float64)


def _backward_of(target: Tensor, upstream: Tensor, args: list[Tensor]) -> tuple[Tensor | None, ...]:
    """What the target's backward function sends to each argument, for a given upstream.

    Composite ops (several torch functions, such as cross_entropy) ask autograd.grad instead,
    so the answer is always one entry per argument."""
    fn = target.grad_fn
    if fn is None:
        return (None,) * len(args)
    if len(fn.next_functions) == len(args):
        sent = fn(upstream)  # type: ignore[operator]  # a Node is callable: its backward
        return sent if type(sent) is tuple else (sent,)
    with torch.enable_grad():
        return torch.autograd.grad(target, args, upstream, retain_graph=True, allow_unused=True)


def as_python(tensors: list[Tensor]) -> list[Any]:
    """Tensors → floats or nested lists; all the scalars go through one stack for speed."""
    out: list[Any] = [None] * len(tensors)
    scalar_at = [i for i, t in enumerate(tensors) if t.dim() == 0]
    if scalar_at:
        stacked = torch.stack([tensors[i].detach() for i in scalar_at]).tolist()
        for i, v in zip(scalar_at, stacked, strict=True):
            out[i] = v
    for i, t in enumerate(tensors):
        if t.dim() != 0:
            out[i] = t.detach().tolist()
    return out


def _nudge(
    program: Program,
    inputs: dict[str, Tensor],
    vals: dict[str, Tensor],
    grads: dict[str, Tensor],
    output_id: str,
    dtype: DType,
    limits: Limits,
    *,
    input: str,
    epsilon: float,
    index: list[int] | None = None,
) -> dict[str, Any]:
    """Change one input by ε and compare the actual change of the output with grad · ε."""
    if input not in inputs:
        raise UserError(
            f"can't nudge {input}: the program has no input of that name.", ErrorType.UNKNOWN_VALUE
        )
    if not math.isfinite(epsilon):
        raise UserError("the nudge ε must be a finite number.", ErrorType.INVALID_VALUE)
    base = inputs[input].detach()
    step = torch.zeros_like(base)
    try:
        if index is None:
            step += epsilon
        else:
            step[tuple(index)] = epsilon
    except (IndexError, TypeError, RuntimeError, ValueError, OverflowError):
        raise UserError(
            f"index {index} is outside {input}, whose shape is {_shape(base)}.",
            ErrorType.INVALID_VALUE,
        ) from None
    moved = {k: v.detach() for k, v in inputs.items()}
    moved[input] = base + step
    with torch.no_grad():
        after = forward(program, moved, dtype=dtype, limits=limits, consts_require_grad=False)
    before_value = float(vals[output_id].detach().sum())
    after_value = float(after[output_id].sum())
    predicted = float((grads[input] * step).sum())
    return {
        "input": input,
        "epsilon": epsilon,
        "index": index,
        "output_before": before_value,
        "output_after": after_value,
        "actual_change": after_value - before_value,
        "predicted_change": predicted,
    }
