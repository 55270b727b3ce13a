"""The engine against plain PyTorch and finite differences: values, every node's gradient,
every scalar edge's local derivative and contribution, dtypes, seeds and the nudge."""

import math
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.graph.engine import Evaluation, evaluate
from app.graph.program import Program
from tests.graph.conftest import LIMITS, parse, run
from tests.graph.random_programs import (
    Expr,
    TensorProgram,
    input_values,
    oracle,
    single_assignment,
    tensor_programs,
)

F64 = torch.float64
RANDOM = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def oracle_run(
    program: TensorProgram, values: dict[str, Any], dtype: torch.dtype = F64
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Every statement's value and every name's gradient of the output's sum, in plain torch."""
    env = {n: torch.tensor(v, dtype=dtype, requires_grad=True) for n, v in values.items()}
    for name, e in program.statements:
        env[name] = oracle(e, env, dtype)
        if not env[name].requires_grad:  # a statement of numbers only
            env[name] = env[name].detach().requires_grad_(True)
    out = env[program.output()]
    names = list(env)
    grads = torch.autograd.grad(
        out, [env[n] for n in names], torch.ones_like(out), retain_graph=True, allow_unused=True
    )
    return (
        {n: t.detach() for n, t in env.items()},
        {
            n: torch.zeros_like(env[n]) if g is None else g
            for n, g in zip(names, grads, strict=True)
        },
    )


def _well_behaved(values: dict[str, torch.Tensor], grads: dict[str, torch.Tensor]) -> bool:
    return all(
        bool(torch.isfinite(t).all()) and float(t.abs().max()) < 1e6
        for t in [*values.values(), *grads.values()]
    )


@st.composite
def programs_with_values(draw: st.DrawFn, ssa: bool) -> tuple[TensorProgram, dict[str, Any]]:
    program = draw(tensor_programs())
    if ssa:
        program = single_assignment(program, name_numbers=draw(st.booleans()))
    return program, input_values(draw, program.input_shapes)


def _engine(program: TensorProgram, values: dict[str, Any], dtype: str) -> Evaluation:
    return evaluate(parse(program.source()), values, dtype=dtype, limits=LIMITS)  # type: ignore[arg-type]


@RANDOM
@given(case=programs_with_values(ssa=False))
def test_named_values_and_gradients_match_pytorch(case: tuple[TensorProgram, dict]) -> None:
    program, values = case
    want_values, want_grads = oracle_run(program, values)
    assume(_well_behaved(want_values, want_grads))
    ev = _engine(program, values, "float64")
    parsed = ev.program
    assert ev.seed == ("scalar" if want_values[program.output()].numel() == 1 else "sum")
    for name, node_id in parsed.names.items():
        torch.testing.assert_close(ev.values[node_id].detach(), want_values[name])
        torch.testing.assert_close(ev.grads[node_id], want_grads[name], rtol=1e-7, atol=1e-9)


@RANDOM
@given(case=programs_with_values(ssa=True))
def test_every_node_and_every_scalar_edge_match_pytorch(case: tuple[TensorProgram, dict]) -> None:
    program, values = case
    want_values, want_grads = oracle_run(program, values)
    assume(_well_behaved(want_values, want_grads))
    ev = _engine(program, values, "float64")
    parsed = ev.program
    for node in parsed.nodes:
        if node.name is None:
            assert node.kind == "const", "every operation has a name in this form"
            continue
        torch.testing.assert_close(ev.values[node.id].detach(), want_values[node.name])
        torch.testing.assert_close(ev.grads[node.id], want_grads[node.name], rtol=1e-7, atol=1e-9)
    _check_edges(program, parsed, ev, want_values, want_grads)


def _check_edges(
    program: TensorProgram,
    parsed: Program,
    ev: Evaluation,
    want_values: dict[str, torch.Tensor],
    want_grads: dict[str, torch.Tensor],
) -> None:
    exprs = dict(program.statements)
    edges_by_target: dict[str, list[Any]] = {}
    for edge in ev.edges:
        edges_by_target.setdefault(edge.target, []).append(edge)
    for node in parsed.nodes:
        if node.kind != "op":
            continue
        edges = sorted(edges_by_target.get(node.id, []), key=lambda e: e.argument)
        assert [(e.source, e.argument) for e in edges] == [
            (src, k) for k, src in enumerate(node.inputs)
        ], "one edge per use, in argument order"
        expr = exprs[node.name or ""]
        for edge in edges:
            source = ev.values[edge.source]
            target = ev.values[edge.target]
            if source.dim() != 0 or target.dim() != 0:
                assert edge.local_grad is None and edge.contribution is None
                continue
            local = _oracle_local_grad(expr, want_values, edge.argument)
            upstream = float(want_grads[node.name or ""])
            assert edge.local_grad == pytest.approx(local, rel=1e-6, abs=1e-9, nan_ok=True)
            assert edge.contribution == pytest.approx(
                upstream * local, rel=1e-6, abs=1e-9, nan_ok=True
            )
    # Fan-in: a scalar node's gradient is the sum of its edges' contributions.
    for node in parsed.nodes:
        out_edges = [e for e in ev.edges if e.source == node.id]
        if node.id == ev.output or not out_edges:
            continue
        if any(e.contribution is None or not math.isfinite(e.local_grad) for e in out_edges):
            continue  # 0 × NaN (e.g. ∂(aᵇ)/∂b for a < 0 off the output's path) is NaN
        total = sum(e.contribution for e in out_edges)
        assert total == pytest.approx(float(ev.grads[node.id]), rel=1e-6, abs=1e-9, nan_ok=True)


def _oracle_local_grad(expr: Expr, env: dict[str, torch.Tensor], k: int) -> float:
    """∂op/∂(argument k) with the other arguments held: each argument a separate leaf."""
    leaves = [oracle(a, env, F64).detach().clone().requires_grad_(True) for a in expr.args]
    placeholders = [Expr("name", a.shape, name=f"__arg{i}") for i, a in enumerate(expr.args)]
    local_env = {f"__arg{i}": t for i, t in enumerate(leaves)}
    out = oracle(
        Expr(expr.kind, expr.shape, placeholders, expr.name, expr.number, expr.dim, expr.spelling),
        local_env,
        F64,
    )
    (g,) = torch.autograd.grad(out, [leaves[k]], allow_unused=True)
    return 0.0 if g is None else float(g)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=programs_with_values(ssa=False))
def test_input_gradients_match_finite_differences(case: tuple[TensorProgram, dict]) -> None:
    program, values = case
    want_values, want_grads = oracle_run(program, values)
    assume(_well_behaved(want_values, want_grads))
    ev = _engine(program, values, "float64")

    def objective(name: str, flat_index: int, step: float) -> float:
        moved = {n: torch.tensor(v, dtype=F64) for n, v in values.items()}
        moved[name].view(-1)[flat_index] += step
        with torch.no_grad():
            vals, _ = _forward_only(program, moved)
        return float(vals.sum())

    h = 1e-6
    for name in ev.program.inputs:
        grad = ev.grads[name].reshape(-1)
        for i in range(grad.numel()):
            numeric = (objective(name, i, h) - objective(name, i, -h)) / (2 * h)
            assert float(grad[i]) == pytest.approx(numeric, rel=1e-4, abs=1e-5), (name, i)


def _forward_only(
    program: TensorProgram, env: dict[str, torch.Tensor]
) -> tuple[torch.Tensor, None]:
    env = dict(env)
    for name, e in program.statements:
        env[name] = oracle(e, env, F64)
    return env[program.output()], None


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=programs_with_values(ssa=False))
def test_float32_by_default_and_float64_on_request(case: tuple[TensorProgram, dict]) -> None:
    program, values = case
    want_values, want_grads = oracle_run(program, values)
    assume(_well_behaved(want_values, want_grads))
    single = evaluate(parse(program.source()), values, limits=LIMITS)
    assert single.dtype == "float32"
    assert all(t.dtype == torch.float32 for t in single.values.values())
    double = _engine(program, values, "float64")
    assert all(t.dtype == torch.float64 for t in double.values.values())
    out = single.output
    torch.testing.assert_close(
        single.values[out].detach().double(), want_values[program.output()], rtol=1e-4, atol=1e-4
    )


# -- the seed's examples, closed form ---------------------------------------------------------


def test_z_equals_2_times_a_minus_b_plus_c() -> None:
    ev = run("z = 2(a − b) + c", {"a": 3, "b": 1, "c": 0.5})
    p = ev.program
    assert float(ev.values["z"]) == 4.5
    assert {n: float(ev.grads[n]) for n in p.inputs} == {"a": 2.0, "b": -2.0, "c": 1.0}
    sub = next(n for n in p.nodes if n.op == "sub")
    by_edge = {(e.source, e.target): e for e in ev.edges}
    assert by_edge[("b", sub.id)].local_grad == -1.0
    assert by_edge[("b", sub.id)].contribution == -2.0
    assert by_edge[("a", sub.id)].local_grad == 1.0
    assert by_edge[("c", "z")].contribution == 1.0


@pytest.mark.parametrize(
    ("source", "values", "input_", "epsilon", "index"),
    [
        ("z = 2(a − b) + c", {"a": 3, "b": 1, "c": 0.5}, "b", 0.001, None),
        ("z = 2(a − b) + c", {"a": 3, "b": 1, "c": 0.5}, "a", -0.01, None),
        ("z = x**3 + sin(x)", {"x": 0.7}, "x", 1e-3, None),
        ("z = sum(m @ v)", {"m": [[1, 2], [3, 4]], "v": [0.5, -1]}, "v", 1e-3, [1]),
        ("z = m * 2", {"m": [[1, 2], [3, 4]]}, "m", 1e-3, None),
        ("z = sigmoid(w*x + b)", {"w": 0.5, "x": 2, "b": -1}, "w", 1e-3, None),
    ],
)
def test_nudge_actual_change_is_close_to_the_prediction(
    source: str, values: dict[str, Any], input_: str, epsilon: float, index: list[int] | None
) -> None:
    nudge = {"input": input_, "epsilon": epsilon, "index": index}
    ev = run(source, values, dtype="float64", nudge=nudge)
    assert ev.nudge is not None
    moved = {k: torch.tensor(v, dtype=F64) for k, v in values.items()}
    if index is None:
        moved[input_] = moved[input_] + epsilon
    else:
        moved[input_][tuple(index)] += epsilon
    after = float(
        run(source, {k: v.tolist() for k, v in moved.items()}, dtype="float64").values["z"].sum()
    )
    before = float(ev.values["z"].sum())
    assert ev.nudge["output_before"] == pytest.approx(before)
    assert ev.nudge["output_after"] == pytest.approx(after, rel=1e-12)
    assert ev.nudge["actual_change"] == pytest.approx(after - before, rel=1e-9, abs=1e-15)
    predicted = ev.nudge["predicted_change"]
    assert ev.nudge["actual_change"] == pytest.approx(predicted, rel=1e-2, abs=1e-9)


def test_nudge_b_by_a_thousandth_moves_z_by_minus_two_thousandths() -> None:
    ev = run("z = 2(a − b) + c", {"a": 3, "b": 1, "c": 0.5}, nudge={"input": "b", "epsilon": 0.001})
    assert ev.nudge is not None
    assert ev.nudge["predicted_change"] == pytest.approx(-0.002, rel=1e-6)
    assert ev.nudge["actual_change"] == pytest.approx(-0.002, rel=1e-3)


@pytest.mark.parametrize(
    ("source", "values", "seed"),
    [
        ("z = m * 2", {"m": [[1, 2], [3, 4]]}, "sum"),
        ("z = v @ v", {"v": [1, 2]}, "scalar"),
        ("z = sum(m)", {"m": [[1, 2], [3, 4]]}, "scalar"),
        ("z = relu(m @ v)", {"m": [[1, -2], [3, 4]], "v": [1, 2]}, "sum"),
    ],
)
def test_a_tensor_output_is_seeded_with_ones(
    source: str, values: dict[str, Any], seed: str
) -> None:
    ev = run(source, values, dtype="float64")
    assert ev.seed == seed
    leaves = {k: torch.tensor(v, dtype=F64, requires_grad=True) for k, v in values.items()}
    expected = {
        "z = m * 2": lambda t: (t["m"] * 2).sum(),
        "z = v @ v": lambda t: t["v"] @ t["v"],
        "z = sum(m)": lambda t: t["m"].sum(),
        "z = relu(m @ v)": lambda t: torch.relu(t["m"] @ t["v"]).sum(),
    }[source](leaves)
    expected.backward()
    for name, leaf in leaves.items():
        torch.testing.assert_close(ev.grads[name], leaf.grad)
    torch.testing.assert_close(ev.grads[ev.output], torch.ones_like(ev.values[ev.output]))


@pytest.mark.parametrize(
    ("source", "x", "uses"),
    [("z = x*x", 3.0, 2), ("z = x*x*x", 2.0, 3), ("d = x + 1\nz = d*x + x", 1.5, 3)],
)
def test_fan_in_edges_sum_to_the_gradient(source: str, x: float, uses: int) -> None:
    ev = run(source, {"x": x}, dtype="float64")
    from_x = [e for e in ev.edges if e.source == "x"]
    assert len(from_x) == uses
    assert [n.id for n in ev.program.nodes].count("x") == 1
    leaf = torch.tensor(x, dtype=F64, requires_grad=True)
    formula = {
        "z = x*x": lambda t: t * t,
        "z = x*x*x": lambda t: t * t * t,
        "d = x + 1\nz = d*x + x": lambda t: (t + 1) * t + t,
    }[source]
    (want,) = torch.autograd.grad(formula(leaf), [leaf])
    assert sum(e.contribution for e in from_x) == pytest.approx(float(want))
    assert float(ev.grads["x"]) == pytest.approx(float(want))


@pytest.mark.parametrize(
    ("source", "values", "output"),
    [
        ("d = a*b\nz = d + 1\nw = d * 3", {"a": 2.0, "b": 5.0}, "z"),
        ("d = a*b\nz = d + 1\nw = d * 3", {"a": 2.0, "b": 5.0}, "w"),
        ("d = a*b\nz = d + 1\nw = d * 3", {"a": 2.0, "b": 5.0}, "d"),
    ],
)
def test_gradients_of_a_chosen_output(source: str, values: dict[str, float], output: str) -> None:
    ev = run(source, values, output=output, dtype="float64")
    a = torch.tensor(values["a"], dtype=F64, requires_grad=True)
    b = torch.tensor(values["b"], dtype=F64, requires_grad=True)
    d = a * b
    out = {"z": d + 1, "w": d * 3, "d": d}[output]
    ga, gb = torch.autograd.grad(out, [a, b])
    assert (float(ev.grads["a"]), float(ev.grads["b"])) == pytest.approx((float(ga), float(gb)))
    later = {"z": "w", "w": "z", "d": "z"}[output]
    assert float(ev.grads[later]) == 0.0, "a node after the output gets no gradient"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("z = 1/0", math.inf),
        ("z = -1/0", -math.inf),
        ("z = log(0)", -math.inf),
        ("z = sqrt(-1)", math.nan),
        ("z = 2**10000", math.inf),
        ("z = 10**10**10", math.inf),
        ("z = exp(1000)", math.inf),
        ("z = 1e400", math.inf),
    ],
)
def test_non_finite_results_are_numbers_not_errors(source: str, expected: float) -> None:
    got = float(run(source, {}).values["z"])
    assert (math.isnan(got) and math.isnan(expected)) or got == expected
