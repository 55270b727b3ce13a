"""Property tests on the parser: random well-formed programs match a torch oracle built from
the same random tree, and random text never raises anything but a UserError."""

import contextlib
import math

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.errors import UserError
from app.graph.engine import evaluate
from tests.graph.conftest import LIMITS, parse
from tests.graph.random_programs import oracle, render, scalar_expr

INPUTS = ["a", "b", "x", "w"]
FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    tree=scalar_expr(INPUTS),
    values=st.fixed_dictionaries({n: st.floats(0.1, 2.0) for n in INPUTS}),
    separator=st.sampled_from(["\n", ";", " ; ", "\n\n# note\n", "  # why\n"]),
)
def test_random_scalar_programs_match_the_oracle(
    tree: object, values: dict[str, float], separator: str
) -> None:
    text = render(tree)  # type: ignore[arg-type]
    source = f"# random program\ny = {text}{separator}z = y"
    program = parse(source)
    env = {n: torch.tensor(v, dtype=torch.float64) for n, v in values.items()}
    with torch.no_grad():
        expected = float(oracle(tree, env, torch.float64))  # type: ignore[arg-type]
    assume(math.isfinite(expected) and abs(expected) < 1e12)
    used = {n: values[n] for n in program.inputs}
    ev = evaluate(program, used, dtype="float64", limits=LIMITS)
    got = float(ev.values[ev.output].detach())
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9), source


LANGUAGE_CHARS = "abxyz01239.eE+-*/^@()=;,#\n \t²³−×·÷_'\"[]{}`!$%&|<>?:\\"
WORDS = ["sin", "exp", "sum", "mean", "import", "lambda", "__class__", ".T", "**", "softmax"]


@settings(max_examples=400, deadline=2000)
@given(
    text=st.one_of(
        st.text(alphabet=LANGUAGE_CHARS, max_size=40),
        st.lists(st.sampled_from(list(LANGUAGE_CHARS) + WORDS), max_size=25).map("".join),
        st.text(max_size=30),
    )
)
def test_random_text_raises_only_graph_errors(text: str) -> None:
    try:
        program = parse(text)
    except UserError as err:
        assert err.message
        if err.span is not None:
            start, end = err.span
            assert 0 <= start <= end <= len(text)
            assert err.line == text.count("\n", 0, start) + 1
            assert err.column == start - (text.rfind("\n", 0, start) + 1) + 1
        return
    with contextlib.suppress(UserError):
        evaluate(program, dict.fromkeys(program.inputs, 1.5), limits=LIMITS)


@settings(max_examples=100, deadline=2000)
@given(
    tree=scalar_expr(INPUTS, depth=3),
    cut=st.integers(0, 200),
    junk=st.sampled_from(["(", ")", "+", "*", "**", "²", "=", ",", ".", "@", "sin(", "2 3"]),
)
def test_mutated_programs_raise_only_graph_errors(tree: object, cut: int, junk: str) -> None:
    text = "z = " + render(tree)  # type: ignore[arg-type]
    at = cut % (len(text) + 1)
    mutated = text[:at] + junk + text[at:]
    try:
        program = parse(mutated)
        evaluate(program, dict.fromkeys(program.inputs, 0.7), limits=LIMITS)
    except UserError as err:
        assert err.type in {
            "syntax_error",
            "program_error",
            "shape_error",
            "value_error",
            "limit_exceeded",
        }
