"""The language: precedence, associativity, spellings and every error with its position.

Each program is evaluated and compared with the same formula written in Python here."""

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch

from app.errors import LimitError, UserError
from app.graph.program import parse_program
from tests.graph.conftest import LIMITS, parse, run

A, B, C, X = 3.0, 1.0, 0.5, 1.5

# (program, inputs, the formula in Python)
SCALAR_PROGRAMS: list[tuple[str, dict[str, float], Callable[..., float]]] = [
    ("z = -x**2", {"x": X}, lambda x: -(x**2)),
    ("z = -x^2", {"x": X}, lambda x: -(x**2)),
    ("z = (-x)**2", {"x": X}, lambda x: (-x) ** 2),
    ("z = -2**2", {}, lambda: -4.0),
    ("z = 2**3**2", {}, lambda: 512.0),
    ("z = 2^3^2", {}, lambda: 512.0),
    ("z = (2**3)**2", {}, lambda: 64.0),
    ("z = 2**-1", {}, lambda: 0.5),
    ("z = 2**-x**2", {"x": X}, lambda x: 2 ** (-(x**2))),
    ("z = a - b - c", {"a": A, "b": B, "c": C}, lambda a, b, c: (a - b) - c),
    ("z = a / b / c", {"a": A, "b": B, "c": C}, lambda a, b, c: (a / b) / c),
    ("z = a - b * c", {"a": A, "b": B, "c": C}, lambda a, b, c: a - b * c),
    ("z = a + b / c ** 2", {"a": A, "b": B, "c": C}, lambda a, b, c: a + b / c**2),
    ("z = 2(a − b) + c", {"a": A, "b": B, "c": C}, lambda a, b, c: 2 * (a - b) + c),
    ("z = 2(a - b) + c", {"a": A, "b": B, "c": C}, lambda a, b, c: 2 * (a - b) + c),
    ("z = 2a", {"a": A}, lambda a: 2 * a),
    ("z = 2 a", {"a": A}, lambda a: 2 * a),
    ("z = 0.5a + 1e-3", {"a": A}, lambda a: 0.5 * a + 1e-3),
    ("z = 2a**2", {"a": A}, lambda a: 2 * a**2),
    ("z = 2a²", {"a": A}, lambda a: 2 * a**2),
    ("z = a b", {"a": A, "b": B}, lambda a, b: a * b),
    ("z = (a + b)(a − b)", {"a": A, "b": B}, lambda a, b: (a + b) * (a - b)),
    ("z = 2(a)(b)", {"a": A, "b": B}, lambda a, b: 2 * a * b),
    ("z = a / 2b", {"a": A, "b": B}, lambda a, b: a / 2 * b),  # implicit × binds like ×
    ("z = 3 sin(a)", {"a": A}, lambda a: 3 * math.sin(a)),
    ("z = a²", {"a": A}, lambda a: a**2),
    ("z = a³", {"a": A}, lambda a: a**3),
    ("z = -a²", {"a": A}, lambda a: -(a**2)),
    ("z = (a + b)²", {"a": A, "b": B}, lambda a, b: (a + b) ** 2),
    ("z = a²**3", {"a": A}, lambda a: (a**2) ** 3),
    ("z = a × b", {"a": A, "b": B}, lambda a, b: a * b),
    ("z = a · b", {"a": A, "b": B}, lambda a, b: a * b),
    ("z = a ÷ b", {"a": A, "b": B}, lambda a, b: a / b),
    ("z = a − b", {"a": A, "b": B}, lambda a, b: a - b),
    ("z = a − −b", {"a": A, "b": B}, lambda a, b: a + b),
    ("z = a × b ÷ c · a", {"a": A, "b": B, "c": C}, lambda a, b, c: a * b / c * a),
    ("z = +a - -b", {"a": A, "b": B}, lambda a, b: a + b),
    ("z = a ^ b", {"a": A, "b": B}, lambda a, b: a**b),
    ("z = pow(a, 3)", {"a": A}, lambda a: a**3),
    ("z = sin (a)", {"a": A}, lambda a: math.sin(a)),
    ("z = exp(log(a)) + sqrt(a) + abs(-a)", {"a": A}, lambda a: a + math.sqrt(a) + a),
    ("z = max(a, b) - min(a, b)", {"a": A, "b": B}, lambda a, b: max(a, b) - min(a, b)),
    (
        "z = tanh(a) + sigmoid(b) + relu(-c)",
        {"a": A, "b": B, "c": C},
        lambda a, b, c: math.tanh(a) + 1 / (1 + math.exp(-b)),
    ),
    ("z = softplus(a)", {"a": A}, lambda a: math.log1p(math.exp(a))),
    ("z = tan(c) + cos(c)", {"c": C}, lambda c: math.tan(c) + math.cos(c)),
    ("αβ = 2\nz = αβ x", {"x": X}, lambda x: 2 * x),
    ("d = a - b\nz = 2*d + c", {"a": A, "b": B, "c": C}, lambda a, b, c: 2 * (a - b) + c),
    ("d = a - b; z = 2*d + c", {"a": A, "b": B, "c": C}, lambda a, b, c: 2 * (a - b) + c),
    ("# comment\n\nd = a - b  # why\n\n;z = d*d\n\n", {"a": A, "b": B}, lambda a, b: (a - b) ** 2),
    ("d = a;e = d;z = e", {"a": A}, lambda a: a),
    ("\r\nd = a\r\nz = d + 1\r\n", {"a": A}, lambda a: a + 1),
]


def _tuple_args(values: dict[str, float]) -> list[float]:
    return [values[k] for k in sorted(values)]


@pytest.mark.parametrize(("source", "values", "formula"), SCALAR_PROGRAMS)
def test_scalar_program_matches_formula(
    source: str, values: dict[str, float], formula: Callable[..., float]
) -> None:
    ev = run(source, values, dtype="float64")
    expected = formula(*_tuple_args(values))
    assert float(ev.values[ev.output]) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def _t(x: Any) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


M = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
V = [1.0, -2.0, 0.5]
W = [[0.5, -1.0], [2.0, 0.25], [-0.5, 1.0]]

TENSOR_PROGRAMS: list[tuple[str, dict[str, Any], Callable[..., torch.Tensor]]] = [
    ("z = m @ v", {"m": M, "v": V}, lambda m, v: m @ v),
    ("z = m @ w", {"m": M, "w": W}, lambda m, w: m @ w),
    ("z = m @ w @ m", {"m": M, "w": W}, lambda m, w: (m @ w) @ m),
    ("z = 2m @ w", {"m": M, "w": W}, lambda m, w: (2 * m) @ w),
    ("z = m.T", {"m": M}, lambda m: m.T),
    ("z = m.T.T", {"m": M}, lambda m: m),
    ("z = transpose(m)", {"m": M}, lambda m: m.T),
    ("z = w.T @ m.T", {"m": M, "w": W}, lambda m, w: w.T @ m.T),
    ("z = m + v", {"m": M, "v": V}, lambda m, v: m + v),
    ("z = m * v - 1", {"m": M, "v": V}, lambda m, v: m * v - 1),
    ("z = m²", {"m": M}, lambda m: m**2),
    ("z = sum(m)", {"m": M}, lambda m: m.sum()),
    ("z = sum(m, 0)", {"m": M}, lambda m: m.sum(0)),
    ("z = sum(m, -1)", {"m": M}, lambda m: m.sum(-1)),
    ("z = mean(m, 1)", {"m": M}, lambda m: m.mean(1)),
    ("z = max(m)", {"m": M}, lambda m: m.max()),
    ("z = softmax(m)", {"m": M}, lambda m: torch.softmax(m, -1)),
    ("z = softmax(m, 0)", {"m": M}, lambda m: torch.softmax(m, 0)),
    ("z = log_softmax(m)", {"m": M}, lambda m: torch.log_softmax(m, -1)),
    ("z = mse(v, v²)", {"v": V}, lambda v: ((v - v**2) ** 2).mean()),
    ("z = relu(m @ w)", {"m": M, "w": W}, lambda m, w: (m @ w).clamp(min=0)),
]


@pytest.mark.parametrize(("source", "values", "formula"), TENSOR_PROGRAMS)
def test_tensor_program_matches_torch(
    source: str, values: dict[str, Any], formula: Callable[..., torch.Tensor]
) -> None:
    ev = run(source, values, dtype="float64")
    expected = formula(*[_t(values[k]) for k in sorted(values)])
    torch.testing.assert_close(ev.values[ev.output].detach(), expected)


def test_cross_entropy_with_class_indices_matches_torch() -> None:
    logits = [[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]
    ev = run("z = cross_entropy(y, t)", {"y": logits, "t": [2, 0]}, dtype="float64")
    expected = torch.nn.functional.cross_entropy(_t(logits), torch.tensor([2, 0]))
    torch.testing.assert_close(ev.values["z"].detach(), expected)


# -- structure ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "inputs", "assigned"),
    [
        ("z = 2(a − b) + c", ["a", "b", "c"], ["z"]),
        ("d = a - b\nz = 2*d + c", ["a", "b", "c"], ["d", "z"]),
        ("z = x*x + x", ["x"], ["z"]),
        ("# only a comment\n", [], []),
        ("", [], []),
        (";;\n\n;", [], []),
    ],
)
def test_inputs_and_names(source: str, inputs: list[str], assigned: list[str]) -> None:
    program = parse(source)
    assert program.inputs == inputs
    assert program.assigned == assigned


def test_nodes_are_in_forward_order_and_inputs_appear_once() -> None:
    program = parse("d = a - b\nz = 2*d*d + c + a")
    seen: set[str] = set()
    for node in program.nodes:
        assert all(i in seen for i in node.inputs), f"{node.id} uses a later node"
        seen.add(node.id)
    ids = [n.id for n in program.nodes]
    assert len(ids) == len(set(ids))
    assert [n.id for n in program.nodes if n.kind == "input"] == ["a", "b", "c"]
    z = program.node("z")
    assert program.source[z.span[0] : z.span[1]].startswith("2*d*d")


def test_spans_point_at_the_source_text() -> None:
    source = "d = a - b\nz = 2*d + c"
    program = parse(source)
    assert source[slice(*program.node("d").span)] == "a - b"
    assert source[slice(*program.node("a").span)] == "a"


# -- errors ---------------------------------------------------------------------------------

# (program, type, message fragment, line, column, span)
ERRORS: list[tuple[str, str, str, int, int, tuple[int, int]]] = [
    ("z = sinn(x)", "program_error", "Did you mean sin?", 1, 5, (4, 8)),
    ("z = expp(x) + 1", "program_error", "unknown function expp", 1, 5, (4, 8)),
    ("z = 1\nw = sigmod(z)", "program_error", "Did you mean sigmoid?", 2, 5, (10, 16)),
    ("z = foo(x)", "program_error", "unknown function foo", 1, 5, (4, 7)),
    ("z = x\nz = 2", "program_error", "already defined on line 1", 2, 1, (6, 7)),
    ("y = z + 1\nz = 1", "program_error", "used before it is defined", 1, 5, (4, 5)),
    ("z = z + 1", "program_error", "used before it is defined", 1, 5, (4, 5)),
    ("z = sin", "program_error", "is a function", 1, 5, (4, 7)),
    ("sin = 2", "program_error", "name of a function", 1, 1, (0, 3)),
    ("z = a +", "syntax_error", "operand is missing", 1, 7, (6, 7)),
    ("z = a + \n", "syntax_error", "operand is missing", 1, 7, (6, 7)),
    ("z = * a", "syntax_error", "operand is missing before '*'", 1, 5, (4, 5)),
    ("z = a + * b", "syntax_error", "operand is missing before '*'", 1, 9, (8, 9)),
    ("z =", "syntax_error", "operand is missing", 1, 3, (2, 3)),
    ("z = (a + b", "syntax_error", "')' is missing", 1, 5, (4, 5)),
    ("y = 1\nz = ((a + b)\n", "syntax_error", "')' is missing", 2, 5, (10, 11)),
    ("z = a + b)", "syntax_error", "without a matching '('", 1, 10, (9, 10)),
    ("z = ()", "syntax_error", "operand is missing before ')'", 1, 6, (5, 6)),
    ("z = sin(a, b)", "program_error", "sin takes 1 argument, not 2", 1, 5, (4, 13)),
    ("z = exp()", "program_error", "exp takes 1 argument, not 0", 1, 5, (4, 9)),
    ("z = sum(a, 0, 1)", "program_error", "sum takes 1 or 2 arguments, not 3", 1, 5, (4, 16)),
    ("z = mse(a)", "program_error", "mse takes 2 arguments, not 1", 1, 5, (4, 10)),
    ("z = sum(a, b)", "program_error", "whole number", 1, 12, (11, 12)),
    ("z = 2 3", "syntax_error", "a number can't follow", 1, 7, (6, 7)),
    ("z", "syntax_error", "must assign a name", 1, 1, (0, 1)),
    ("2 = z", "syntax_error", "must assign a name", 1, 1, (0, 1)),
    ("z = a = b", "syntax_error", "'=' can only follow the name", 1, 7, (6, 7)),
    ("z = a.b", "syntax_error", "attributes don't exist", 1, 6, (5, 6)),
    ("z = _a", "syntax_error", "names start with a letter", 1, 5, (4, 5)),
    ("z = 'a'", "syntax_error", "text in quotes", 1, 5, (4, 5)),
    ("z = a[0]", "syntax_error", "'[' is not part of the language", 1, 6, (5, 6)),
    ("z = a!", "syntax_error", "'!' is not part of the language", 1, 6, (5, 6)),
]


@pytest.mark.parametrize(("source", "type_", "fragment", "line", "column", "span"), ERRORS)
def test_program_errors(
    source: str, type_: str, fragment: str, line: int, column: int, span: tuple[int, int]
) -> None:
    with pytest.raises(UserError) as info:
        parse(source)
    err = info.value
    assert (err.type, err.line, err.column, err.span) == (type_, line, column, span), err
    assert fragment in err.message
    assert err.message[0].islower() or err.message[0] in "'(", "a sentence, not a traceback"


# Errors found only when the shapes are known: (program, values, fragment, span text)
SHAPE_ERRORS: list[tuple[str, dict[str, Any], list[str], str]] = [
    ("z = a + b", {"a": [1, 2, 3], "b": [1, 2]}, ["[3]", "[2]"], "a + b"),
    ("d = 1\nz = m * v", {"m": [[1, 2], [3, 4]], "v": [1, 2, 3]}, ["[2, 2]", "[3]"], "m * v"),
    ("z = max(a, b)", {"a": [1, 2, 3], "b": [1, 2]}, ["[3]", "[2]"], "max(a, b)"),
    ("z = mse(a, b)", {"a": [1, 2, 3], "b": [1, 2]}, ["[3]", "[2]"], "mse(a, b)"),
    ("z = m @ w", {"m": [[1, 2, 3]], "w": [[1, 2]]}, ["[1, 3]", "[1, 2]", "3 ≠ 1"], "m @ w"),
    ("z = v @ w", {"v": [1, 2, 3], "w": [[1, 2]]}, ["[3]", "[1, 2]"], "v @ w"),
    ("z = 2 @ v", {"v": [1, 2]}, ["[]", "[2]"], "2 @ v"),
]


@pytest.mark.parametrize(("source", "values", "fragments", "span_text"), SHAPE_ERRORS)
def test_shape_errors_name_both_shapes(
    source: str, values: dict[str, Any], fragments: list[str], span_text: str
) -> None:
    with pytest.raises(UserError) as info:
        run(source, values)
    err = info.value
    assert err.type == "shape_error"
    for fragment in fragments:
        assert fragment in err.message
    assert err.span is not None and source[slice(*err.span)] == span_text
    line_start = source.rfind("\n", 0, err.span[0]) + 1
    assert (err.line, err.column) == (
        source.count("\n", 0, err.span[0]) + 1,
        err.span[0] - line_start + 1,
    )


@pytest.mark.parametrize(
    ("source", "limits", "fragment"),
    [
        ("z = " + "a + " * 10 + "a", {"max_chars": 20}, "characters"),
        ("a = 1\nb = 2\nc = 3", {"max_statements": 2}, "statements"),
        ("z = a + b + c + d", {"max_nodes": 5}, "nodes"),
    ],
)
def test_limits(source: str, limits: dict[str, int], fragment: str) -> None:
    kwargs = {"max_chars": 1000, "max_statements": 100, "max_nodes": 100} | limits
    with pytest.raises(LimitError) as info:
        parse_program(source, **kwargs)
    assert info.value.type == "limit_exceeded"
    assert fragment in info.value.message


@pytest.mark.parametrize(
    "source",
    [
        "d = 1\nz = sum(m, d)\nw = z + d",
        "d = -1\nz = sum(m, d)\nw = z * d",
        "d = 0\nz = mean(m, d)",
    ],
)
def test_a_named_constant_used_as_a_dimension_stays_a_node(source: str) -> None:
    m = [[1.0, 2.0], [3.0, 4.0]]
    program = parse(source)
    d = float(source.split("\n")[0].split("=")[1])
    ev = evaluate_all_names(program, {"m": m})
    assert float(ev["d"]) == d
    dim = int(d)
    total = torch.tensor(m).sum(dim) if "sum" in source else torch.tensor(m).mean(dim)
    torch.testing.assert_close(ev["z"], total)


def evaluate_all_names(program: Any, values: dict[str, Any]) -> dict[str, torch.Tensor]:
    from app.graph.engine import evaluate

    ev = evaluate(program, values, limits=LIMITS)
    return {name: ev.values[node_id].detach() for name, node_id in program.names.items()}
