"""Shape inference and cost before work (app/graph/cost.py): the inferred shapes against torch
itself, every op of the table on meta tensors, and each limit refused at the node that
crosses it before a single input tensor is made."""

import dataclasses
import math
import time
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ErrorType, LimitError, UserError
from app.graph import engine
from app.graph.backward import backward_by_engine, backward_node_by_node, maps_directly
from app.graph.cost import BACKWARD_WORK, infer_cost
from app.graph.encode import as_python
from app.graph.forward import Clock
from app.graph.inputs import value_shapes
from app.graph.ops import OPS
from tests.graph.conftest import LIMITS, parse, run
from tests.graph.random_programs import (
    TensorProgram,
    input_values,
    oracle,
    single_assignment,
    tensor_programs,
)

RANDOM = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def programs_with_values(draw: st.DrawFn) -> tuple[TensorProgram, dict[str, Any]]:
    program = single_assignment(draw(tensor_programs()), name_numbers=draw(st.booleans()))
    return program, input_values(draw, program.input_shapes)


@RANDOM
@given(case=programs_with_values(), dtype=st.sampled_from(["float32", "float64"]))
def test_inferred_shapes_are_the_shapes_torch_computes(
    case: tuple[TensorProgram, dict[str, Any]], dtype: str
) -> None:
    program, values = case
    parsed = parse(program.source())
    cost = infer_cost(parsed, value_shapes(parsed, values, LIMITS), dtype=dtype, limits=LIMITS)  # type: ignore[arg-type]
    # The oracle: the same statements in plain torch, written independently of app.graph.
    env = {n: torch.tensor(v, dtype=torch.float64) for n, v in values.items()}
    for name, e in program.statements:
        env[name] = oracle(e, env, torch.float64)
        assert cost.shapes[parsed.names[name]] == tuple(env[name].shape), name
    # And every node, named or not, against the engine's own run.
    ev = engine.evaluate(parsed, values, dtype=dtype, limits=LIMITS)  # type: ignore[arg-type]
    assert cost.shapes == {n.id: tuple(ev.values[n.id].shape) for n in parsed.nodes}
    assert cost.elements == sum(t.numel() for t in ev.values.values())
    size = 4 if dtype == "float32" else 8
    assert cost.bytes == 2 * size * cost.elements
    edges = sum(len(n.inputs) for n in parsed.nodes)
    assert cost.answer_numbers == 2 * cost.elements + 2 * edges


# Arguments for one call of every op of the table (two shapes where it takes two).
OP_ARGS: dict[str, list[tuple[int, ...]]] = {
    "matmul": [(3, 4), (4, 5)],
    "sum": [(3, 4)],
    "mean": [(3, 4)],
    "cross_entropy": [(3, 4), (3,)],
}


@pytest.mark.parametrize("name", list(OPS))
def test_every_op_of_the_table_runs_on_meta_tensors(name: str) -> None:
    # Shape inference runs the op table's own functions on meta tensors; an op added without a
    # meta kernel fails here (it would fall back to zeros, which allocates).
    op = OPS[name]
    shapes = OP_ARGS.get(name, [(3, 4)] * op.min_args)
    meta = [torch.empty(s, device="meta") for s in shapes]
    real = [torch.rand(s) for s in shapes]
    if name == "cross_entropy":
        real[1] = torch.tensor([0.0, 1.0, 3.0])
    out = op.fn(*meta)
    assert out.device.type == "meta"
    assert out.shape == op.fn(*real).shape


def _refused_before_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_tensors(*_: Any, **__: Any) -> None:
        raise AssertionError("input tensors were made before the cost was checked")

    monkeypatch.setattr(engine, "make_inputs", no_tensors)


COLUMN, ROW = [[1.0]] * 2000, [[1.0] * 1000]


@pytest.mark.parametrize(
    ("source", "values", "limits", "node", "fragment"),
    [
        # The program: a 2000×1 column times a 1×1000 row is 2M numbers in the answer
        # twice over (value and gradient).
        (
            "m = c @ r\nn = m * 2",
            {"c": COLUMN, "r": ROW},
            {},
            "c @ r",
            "answer up to 'c @ r' would carry 4006004 numbers",
        ),
        ("m = c @ r", {"c": COLUMN, "r": ROW}, {"max_tensor_elements": 1_999_999}, "c @ r", ""),
        (
            "m = c @ r\nn = m * 2",
            {"c": COLUMN, "r": ROW},
            {"max_answer_numbers": 10**9, "max_graph_elements": 3_000_000},
            "m * 2",
            "would hold 4003001 elements",
        ),
        (
            "m = c @ r\nn = m * 2",
            {"c": COLUMN, "r": ROW},
            {"max_answer_numbers": 10**9, "max_bytes": 20_000_000},
            "m * 2",
            "would take 32024008 bytes",
        ),
        (
            "p = a @ b\nq = p @ b",
            {"a": [[1.0] * 300] * 300, "b": [[1.0] * 300] * 300},
            {"max_flops": 200_000_000},
            "p @ b",
            "floating-point operations",
        ),
    ],
)
def test_a_program_over_a_limit_is_refused_at_its_node_before_any_tensor(
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    values: dict[str, Any],
    limits: dict[str, int],
    node: str,
    fragment: str,
) -> None:
    _refused_before_inputs(monkeypatch)
    with pytest.raises(LimitError) as caught:
        run(source, values, limits=dataclasses.replace(LIMITS, **limits))
    err = caught.value
    assert err.type == ErrorType.LIMIT_EXCEEDED
    assert err.span is not None and source[err.span[0] : err.span[1]] == node
    assert err.line == source[: err.span[0]].count("\n") + 1
    assert fragment in err.message


def test_the_work_of_a_product_is_counted_from_its_shapes() -> None:
    parsed = parse("p = a @ b")
    shapes = {"a": (30, 40), "b": (40, 50)}
    cost = infer_cost(parsed, shapes, dtype="float32", limits=LIMITS)
    assert cost.flops == (1 + BACKWARD_WORK) * 2 * 30 * 40 * 50


@pytest.mark.parametrize(
    ("source", "values", "where", "fragment"),
    [
        ("z = a + b", {"a": [1.0, 2.0], "b": [1.0, 2.0, 3.0]}, "a + b", "don't fit together"),
        ("z = a @ b", {"a": [[1.0, 2.0]], "b": [[1.0, 2.0]]}, "a @ b", "inner sizes"),
        ("z = mse(a, b)", {"a": [1.0, 2.0], "b": [1.0]}, "mse(a, b)", "same shape"),
        # A later statement's mismatch is found before the first statement runs.
        (
            "y = exp(a)\nz = y @ b",
            {"a": [[1.0, 2.0]], "b": [[1.0, 2.0]]},
            "y @ b",
            "inner sizes",
        ),
    ],
)
def test_mismatched_shapes_keep_their_sentence_at_the_operator(
    monkeypatch: pytest.MonkeyPatch, source: str, values: dict[str, Any], where: str, fragment: str
) -> None:
    _refused_before_inputs(monkeypatch)
    with pytest.raises(UserError) as caught:
        run(source, values)
    err = caught.value
    assert err.type == ErrorType.SHAPE_ERROR
    assert err.span is not None and source[err.span[0] : err.span[1]] == where
    assert fragment in err.message


@pytest.mark.parametrize(
    ("value", "limits", "fragment"),
    [
        ([[[[[[[[[1.0]]]]]]]]], {}, "more than 8 dimensions"),
        ([0.0] * 11, {"max_tensor_elements": 10}, "has 11 elements"),
    ],
)
def test_a_value_over_a_limit_is_refused_from_its_lists_alone(
    monkeypatch: pytest.MonkeyPatch, value: Any, limits: dict[str, int], fragment: str
) -> None:
    monkeypatch.setattr(torch, "tensor", None)  # no tensor may be made from the lists
    with pytest.raises(LimitError, match=fragment):
        value_shapes(parse("z = a"), {"a": value}, dataclasses.replace(LIMITS, **limits))


def test_the_shapes_read_from_the_lists_are_checked_against_torch() -> None:
    with pytest.raises(UserError) as caught:
        run("z = sum(a)", {"a": [[1.0, 2.0], [3.0]]})
    assert caught.value.type == ErrorType.INVALID_VALUE
    assert math.prod(value_shapes(parse("z = a"), {"a": [[1.0, 2.0]] * 3}, LIMITS)["a"]) == 6


SHAPE_CASES = [[(3, 4)], [(3, 4), (4,)], [(3, 1), (1, 4)], [(), (2, 3)], [(5,), ()], [(2, 1, 3)]]


@pytest.mark.parametrize("name", [name for name, op in OPS.items() if op.out_shape is not None])
@pytest.mark.parametrize("shapes", SHAPE_CASES)
def test_every_python_shape_rule_agrees_with_torch_on_meta(
    name: str, shapes: list[tuple[int, ...]]
) -> None:
    op = OPS[name]
    if not op.min_args <= len(shapes) <= op.max_args:
        shapes = (shapes * 2)[: op.min_args]
    if name in ("mse", "bce"):
        shapes = [shapes[0], shapes[0]]
    if op.static_from is not None:  # the rest are static arguments (a dimension)
        shapes = shapes[: op.static_from]
    assert op.out_shape is not None
    meta = [torch.empty(s, device="meta") for s in shapes]
    for static in [(), (0,)] if name in ("sum", "mean") else [()]:
        want = tuple(op.fn(*meta, *static).shape)
        got = op.out_shape(shapes, static)
        assert got is None or got == want, (shapes, static)


def _expired() -> Clock:
    return Clock(0.0, start=time.perf_counter() - 1.0)


@pytest.mark.parametrize(
    "source",
    [
        "z = sum(exp(a) * a)",  # every op a single autograd function: node by node
        "z = cross_entropy(a, t)",  # a composite op: autograd's engine with hooks
    ],
)
def test_the_backward_pass_checks_the_clock(source: str) -> None:
    parsed = parse(source)
    values = {"a": [[0.1, 0.2, 0.3]], "t": [1.0]}
    values = {k: v for k, v in values.items() if k in parsed.inputs}
    ev = engine.evaluate(parsed, values, limits=LIMITS)  # type: ignore[arg-type]
    out = ev.values[ev.output]
    with pytest.raises(LimitError, match="took longer than 0 s"):
        if maps_directly(parsed, ev.values):
            backward_node_by_node(parsed, ev.values, ev.output, {}, _expired())
        else:
            backward_by_engine(parsed, ev.values, out, _expired())
    # The hooks are gone afterwards: the same graph backpropagates under a fresh clock.
    backward_by_engine(parsed, ev.values, out, Clock(10.0))


def test_encoding_checks_the_clock() -> None:
    with pytest.raises(LimitError):
        as_python([torch.zeros(3), torch.zeros(2, 2)], _expired())
