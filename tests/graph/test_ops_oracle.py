"""Every op of the table against finite differences through the engine, and the grammar's
operator rules against the table: a new op fails here until it has its oracle case."""

import re
from typing import Any

import pytest
import torch

from app.graph.grammar import GRAMMAR
from app.graph.ops import FUNCTIONS, OPERATORS, OPS, Op
from app.graph.program import _Builder
from tests.graph.conftest import run

X = [[0.3, -0.8, 1.4], [-0.5, 1.1, 0.2]]  # away from the kinks of abs, relu, min and max
P = [[0.3, 0.8, 1.4], [0.5, 1.1, 0.2]]  # positive: log, sqrt, a power, probabilities
Q = [[0.9, 0.1, 0.6], [0.4, 1.3, 0.7]]
M = [[0.2, -0.4], [0.7, 0.1], [-0.3, 0.5]]

# op → (program, values); the program's output is differentiated (its sum, for a tensor).
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "add": ("z = x + y", {"x": X, "y": Q}),
    "sub": ("z = x - y", {"x": X, "y": Q}),
    "mul": ("z = x * y", {"x": X, "y": Q}),
    "div": ("z = x / y", {"x": X, "y": Q}),
    "pow": ("z = x ** y", {"x": P, "y": Q}),
    "square": ("z = x²", {"x": X}),
    "cube": ("z = x³", {"x": X}),
    "matmul": ("z = x @ y", {"x": X, "y": M}),
    "neg": ("z = -x", {"x": X}),
    "identity": ("z = x", {"x": X}),
    "exp": ("z = exp(x)", {"x": X}),
    "log": ("z = log(x)", {"x": P}),
    "sqrt": ("z = sqrt(x)", {"x": P}),
    "abs": ("z = abs(x)", {"x": X}),
    "sin": ("z = sin(x)", {"x": X}),
    "cos": ("z = cos(x)", {"x": X}),
    "tan": ("z = tan(x)", {"x": X}),
    "tanh": ("z = tanh(x)", {"x": X}),
    "sigmoid": ("z = sigmoid(x)", {"x": X}),
    "relu": ("z = relu(x)", {"x": X}),
    "leaky_relu": ("z = leaky_relu(x)", {"x": X}),
    "gelu": ("z = gelu(x)", {"x": X}),
    "softplus": ("z = softplus(x)", {"x": X}),
    "min": ("z = min(x, y)", {"x": X, "y": Q}),
    "max": ("z = max(x, y)", {"x": X, "y": Q}),
    "sum": ("z = sum(x, 0) * y", {"x": X, "y": [0.5, -1.0, 2.0]}),
    "mean": ("z = mean(x * y)", {"x": X, "y": Q}),
    "transpose": ("z = x.T @ y", {"x": X, "y": [[0.5], [-1.5]]}),
    "softmax": ("z = softmax(x) * y", {"x": X, "y": Q}),
    "log_softmax": ("z = log_softmax(x, 0) * y", {"x": X, "y": Q}),
    "mse": ("z = mse(x, y)", {"x": X, "y": Q}),
    "bce": ("z = bce(x / 2, y / 2)", {"x": P, "y": Q}),
    "cross_entropy": ("z = cross_entropy(x, y)", {"x": X, "y": Q}),
}


def finite_difference(source: str, values: dict[str, Any], name: str) -> torch.Tensor:
    """∂(sum of the output)/∂`name` by central differences, in float64."""
    h = 1e-6
    base = torch.tensor(values[name], dtype=torch.float64)
    grad = torch.zeros_like(base)
    for i in range(base.numel()):
        step = torch.zeros_like(base).view(-1)
        step[i] = h
        outputs = []
        for sign in (1, -1):
            moved = {**values, name: (base + sign * step.view(base.shape)).tolist()}
            ev = run(source, moved, dtype="float64")
            outputs.append(float(ev.values[ev.output].detach().sum()))
        grad.view(-1)[i] = (outputs[0] - outputs[1]) / (2 * h)
    return grad


def test_every_op_has_an_oracle_case() -> None:
    assert set(CASES) == set(OPS)


@pytest.mark.parametrize(("op", "case"), CASES.items(), ids=list(CASES))
def test_every_op_against_finite_differences(op: str, case: tuple[str, dict[str, Any]]) -> None:
    source, values = case
    ev = run(source, values, dtype="float64")
    assert op in {n.op for n in ev.program.nodes}, f"the case for {op} does not use it"
    for name in values:
        torch.testing.assert_close(
            ev.grads[name], finite_difference(source, values, name), rtol=1e-5, atol=1e-7
        )


def test_the_grammar_builds_exactly_the_operators_of_the_table() -> None:
    aliases = set(re.findall(r"->\s*(\w+)", GRAMMAR))
    methods = {name for name in aliases if name in vars(_Builder)}
    assert aliases - methods == set(OPERATORS)


def test_a_new_function_is_one_entry_of_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    log1p = Op("log1p", "log1p", torch.log1p, "d/dx ln(1 + x) = 1/(1 + x)", "ln(1 + x)")
    monkeypatch.setitem(OPS, "log1p", log1p)
    monkeypatch.setitem(FUNCTIONS, "log1p", log1p)
    ev = run("z = log1p(x)", {"x": P}, dtype="float64")
    assert [n.op for n in ev.program.nodes] == [None, "log1p"]
    want = 1 / (1 + torch.tensor(P, dtype=torch.float64))  # the closed form
    torch.testing.assert_close(ev.grads["x"], want)
