"""The backward pass and the edges: every node's gradient of the output, and for every use of a
node (an edge) its local derivative and contribution, as autograd itself computed them."""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from app.errors import ErrorType, UserError
from app.graph.forward import Clock
from app.graph.ops import OPS
from app.graph.program import Program

Tensor = torch.Tensor
Flows = dict[str, tuple[Tensor | None, ...]]  # op node id → what it sent to each argument


@dataclass(slots=True)
class Edge:
    """One use of `source` as argument `argument` of `target`."""

    source: str
    target: str
    argument: int
    local_grad: float | None  # ∂target/∂source, when both ends are scalars
    contribution: float | None  # upstream gradient × local_grad


def maps_directly(program: Program, vals: dict[str, Tensor]) -> bool:
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


@contextmanager
def clocked_backward(program: Program, vals: dict[str, Tensor], clock: Clock) -> Iterator[None]:
    """While inside, autograd's engine checks the clock before each op node's backward
    function (a hook raising stops the pass, and autograd re-raises that very exception)."""

    def check(_: object) -> None:
        clock.check()

    handles = [
        fn.register_prehook(check)
        for node in program.nodes
        if node.kind == "op" and (fn := vals[node.id].grad_fn) is not None
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def backward_node_by_node(
    program: Program, vals: dict[str, Tensor], output_id: str, sent: Flows, clock: Clock
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
            clock.check()
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


def backward_by_engine(
    program: Program, vals: dict[str, Tensor], out: Tensor, clock: Clock
) -> dict[str, Tensor]:
    """One backward pass of autograd's engine, asked for the gradient at every node (the
    fan-in sums included); for ops torch builds from several functions."""
    tensors = [vals[n.id] for n in program.nodes]
    try:
        with clocked_backward(program, vals, clock):
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


def bare_edges(program: Program) -> list[Edge]:
    """One edge per use, without local derivatives or contributions."""
    return [Edge(src, n.id, k, None, None) for n in program.nodes for k, src in enumerate(n.inputs)]


def edges(
    program: Program,
    vals: dict[str, Tensor],
    grads: dict[str, Tensor],
    sent: Flows,
    clock: Clock,
) -> list[Edge]:
    """One edge per use; local derivative and contribution where both ends are scalars.

    The contributions are what the target's own backward function (autograd's) sends to each
    argument given the target's gradient; the local derivative is that divided by the
    gradient, or the backward function's answer to an upstream of 1 where the gradient is 0."""
    found: list[Edge] = []
    flows: list[Tensor] = []  # contributions to convert, in one stack
    flows_at: list[tuple[Edge, str]] = []
    scalar = {node_id: t.dim() == 0 for node_id, t in vals.items()}
    with torch.no_grad():
        for node in program.nodes:
            if node.kind != "op":
                continue
            node_id, inputs = node.id, node.inputs
            clock.check()
            if not scalar[node_id]:
                found.extend(Edge(src, node_id, k, None, None) for k, src in enumerate(inputs))
                continue
            out_flows = sent.get(node_id)
            if out_flows is None:
                args = [vals[i] for i in inputs]
                out_flows = _backward_of(vals[node_id], grads[node_id], args)
            for k, src in enumerate(inputs):
                edge = Edge(src, node_id, k, None, None)
                found.append(edge)
                if scalar[src]:
                    flow = out_flows[k]
                    flows.append(_NAN if flow is None else flow)
                    flows_at.append((edge, node_id))
    if not flows:
        return found
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
    return found


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
