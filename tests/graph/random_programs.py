"""Random well-formed programs and their oracle: the same tree computed with plain PyTorch.

A program is built as a tree of `Expr`; `render` writes it as program text (with the fewest
parentheses the precedence rules allow, and the language's alternative spellings), and
`oracle` computes it with torch functions written here, independently of app.graph.
"""

import math
import re
from dataclasses import dataclass, field

import torch
from hypothesis import strategies as st

# Precedence levels of the grammar, lowest first: sum < product < unary < power < atom.
SUM, PRODUCT, UNARY, POWER, ATOM = range(5)

# Elementwise functions of one argument: the oracle's own torch implementation.
UNARY_FUNCTIONS = {
    "exp": torch.exp,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "abs": torch.abs,
    "softplus": torch.nn.functional.softplus,
    "log": torch.log,
    "sqrt": torch.sqrt,
}

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "matmul": lambda a, b: a @ b,
    "pow": lambda a, b: a**b,
}

SPELLINGS = {
    "add": ["+"],
    "sub": ["-", "−"],
    "mul": ["*", "×", "·"],
    "div": ["/", "÷"],
    "matmul": ["@"],
    "pow": ["**", "^"],
}


@dataclass
class Expr:
    """One node of a random expression tree."""

    kind: str  # "input", "name", "number", "neg", "call", or a key of BINARY
    shape: tuple[int, ...]
    args: list["Expr"] = field(default_factory=list)
    name: str = ""  # input or statement name, or function name for calls
    number: float = 0.0
    dim: int | None = None  # for sum/mean along a dimension
    spelling: str = ""  # the operator glyph, or "implicit", "²", "³"

    def precedence(self) -> int:
        if self.kind in ("add", "sub"):
            return SUM
        if self.kind in ("mul", "div", "matmul"):
            return PRODUCT
        if self.kind == "neg":
            return UNARY
        if self.kind == "pow":
            return ATOM if self.spelling in ("²", "³") else POWER
        return ATOM


def _wrap(text: str, prec: int, need: int) -> str:
    return text if prec >= need else f"({text})"


def render(e: Expr) -> str:
    """Program text for `e` with only the parentheses that precedence requires."""
    if e.kind in ("input", "name"):
        return e.name
    if e.kind == "number":
        return repr(e.number) if not e.number.is_integer() else str(int(e.number))
    if e.kind == "neg":
        return "-" + _wrap(render(e.args[0]), e.args[0].precedence(), UNARY)
    if e.kind == "call":
        args = [render(a) for a in e.args] + ([] if e.dim is None else [str(e.dim)])
        return f"{e.name}({', '.join(args)})"
    if e.kind == "transpose":
        return _wrap(render(e.args[0]), e.args[0].precedence(), ATOM) + ".T"
    left, right = e.args
    if e.kind == "pow" and e.spelling in ("²", "³"):
        return _wrap(render(left), left.precedence(), ATOM) + e.spelling
    if e.kind == "pow":
        base = _wrap(render(left), left.precedence(), ATOM)
        return f"{base}{e.spelling}{_wrap(render(right), right.precedence(), UNARY)}"
    need_left, need_right = (SUM, PRODUCT) if e.kind in ("add", "sub") else (PRODUCT, UNARY)
    ltext = _wrap(render(left), left.precedence(), need_left)
    rtext = _wrap(render(right), right.precedence(), need_right)
    if e.spelling == "implicit":
        # `2a`, `2(a - b)`, `(a + b)(a - b)`, `a b`: the right factor must be a name, a call or
        # a parenthesis; after a name, '(' would read as a call, so that case is left explicit.
        rtext = render(right) if right.kind in ("input", "name", "call") else f"({render(right)})"
        ends_with_name = re.search(r"[A-Za-z][A-Za-z0-9_]*$", ltext) is not None
        if ends_with_name and rtext[0] == "(":
            return f"{ltext} * {rtext}"
        sep = "" if left.kind == "number" or rtext[0] == "(" else " "
        return f"{ltext}{sep}{rtext}"
    return f"{ltext} {e.spelling} {rtext}"


def oracle(e: Expr, env: dict[str, torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
    """The value of `e` computed with plain torch (inputs and names looked up in `env`)."""
    if e.kind in ("input", "name"):
        return env[e.name]
    if e.kind == "number":
        return torch.tensor(e.number, dtype=dtype)
    args = [oracle(a, env, dtype) for a in e.args]
    if e.kind == "neg":
        return -args[0]
    if e.kind == "transpose":
        return args[0].T
    if e.kind == "call":
        if e.name in ("sum", "mean"):
            fn = torch.sum if e.name == "sum" else torch.mean
            return fn(args[0]) if e.dim is None else fn(args[0], e.dim)
        return UNARY_FUNCTIONS[e.name](args[0])
    return BINARY[e.kind](*args)


# -- strategies -----------------------------------------------------------------------------

_NUMBERS = st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.25, 1.5, 10.0, 0.1])
_SIZES = (2, 3)


@st.composite
def scalar_expr(draw: st.DrawFn, inputs: list[str], depth: int = 4) -> Expr:
    """A scalar expression over `inputs` using every operator spelling and precedence."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return Expr("input", (), name=draw(st.sampled_from(inputs)))
        return Expr("number", (), number=draw(_NUMBERS))
    choice = draw(st.sampled_from(["add", "sub", "mul", "div", "pow", "neg", "call", "glyph"]))
    sub = scalar_expr(inputs, depth - 1)
    if choice == "neg":
        return Expr("neg", (), [draw(sub)])
    if choice == "call":
        return Expr("call", (), [draw(sub)], name=draw(st.sampled_from(sorted(UNARY_FUNCTIONS))))
    if choice == "glyph":
        glyph = draw(st.sampled_from("²³"))
        exponent = Expr("number", (), number=2.0 if glyph == "²" else 3.0)
        return Expr("pow", (), [draw(sub), exponent], spelling=glyph)
    if choice == "pow":
        exponent = Expr("number", (), number=draw(st.sampled_from([2.0, 3.0, 0.5, 1.0])))
        exp = draw(st.one_of(st.just(exponent), sub)) if draw(st.booleans()) else exponent
        return Expr("pow", (), [draw(sub), exp], spelling=draw(st.sampled_from(SPELLINGS["pow"])))
    spellings = SPELLINGS[choice] + (["implicit"] if choice == "mul" else [])
    return Expr(choice, (), [draw(sub), draw(sub)], spelling=draw(st.sampled_from(spellings)))


@dataclass
class TensorProgram:
    """A random program in statements, with input shapes and a value for each input."""

    statements: list[tuple[str, Expr]]
    input_shapes: dict[str, tuple[int, ...]]

    def source(self, separator: str = "\n") -> str:
        return separator.join(f"{name} = {render(e)}" for name, e in self.statements)

    def output(self) -> str:
        return self.statements[-1][0]


class _Builder:
    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.inputs: dict[str, tuple[int, ...]] = {}
        self.named: dict[str, tuple[int, ...]] = {}
        self.statements: list[tuple[str, Expr]] = []

    def leaf(self, shape: tuple[int, ...]) -> Expr:
        draw = self.draw
        names = [n for n, s in self.named.items() if s == shape]
        if names and draw(st.integers(0, 2)) > 0:
            return Expr("name", shape, name=draw(st.sampled_from(names)))
        same = [n for n, s in self.inputs.items() if s == shape]
        if same and draw(st.booleans()):
            return Expr("input", shape, name=draw(st.sampled_from(same)))
        if shape == () and draw(st.integers(0, 3)) == 0:
            return Expr("number", (), number=draw(_NUMBERS))
        name = f"{'s' if shape == () else 'v' if len(shape) == 1 else 'm'}{len(self.inputs)}"
        self.inputs[name] = shape
        return Expr("input", shape, name=name)

    def expr(self, shape: tuple[int, ...], depth: int) -> Expr:
        draw = self.draw
        if depth == 0 or draw(st.integers(0, 4)) == 0:
            return self.leaf(shape)
        kinds = ["add", "sub", "mul", "div", "neg", "call", "pow"]
        if len(shape) == 2:
            kinds += ["matmul", "transpose"]
        if len(shape) == 1:
            kinds += ["matmul", "reduce_dim"]
        if shape == ():
            kinds += ["matmul", "reduce"]
        kind = draw(st.sampled_from(kinds))
        sub = depth - 1
        if kind == "neg":
            return Expr("neg", shape, [self.expr(shape, sub)])
        if kind == "call":
            fn = draw(st.sampled_from(["exp", "sin", "cos", "tanh", "sigmoid", "relu", "abs"]))
            return Expr("call", shape, [self.expr(shape, sub)], name=fn)
        if kind == "pow":
            exponent = Expr("number", (), number=draw(st.sampled_from([2.0, 3.0])))
            spelling = draw(st.sampled_from(["**", "^", "²", "³"]))
            if spelling in ("²", "³"):
                exponent.number = 2.0 if spelling == "²" else 3.0
            return Expr("pow", shape, [self.expr(shape, sub), exponent], spelling=spelling)
        if kind == "transpose":
            return Expr("transpose", shape, [self.expr(shape[::-1], sub)])
        if kind == "reduce":
            inner = draw(st.sampled_from([(2,), (3,), (2, 3)]))
            fn = draw(st.sampled_from(["sum", "mean"]))
            return Expr("call", (), [self.expr(inner, sub)], name=fn)
        if kind == "reduce_dim":
            (n,) = shape
            other = draw(st.sampled_from(_SIZES))
            first = draw(st.booleans())
            inner = (other, n) if first else (n, other)
            dim = 0 if first else draw(st.sampled_from([1, -1]))
            fn = draw(st.sampled_from(["sum", "mean"]))
            return Expr("call", shape, [self.expr(inner, sub)], name=fn, dim=dim)
        if kind == "matmul":
            k = draw(st.sampled_from(_SIZES))
            if len(shape) == 2:
                left, right = (shape[0], k), (k, shape[1])
            elif len(shape) == 1:
                left, right = (shape[0], k), (k,)
            else:
                left, right = (k,), (k,)
            return Expr(
                "matmul", shape, [self.expr(left, sub), self.expr(right, sub)], spelling="@"
            )
        # Elementwise with broadcasting: one side may be a scalar or a trailing slice.
        smaller = [()] + [shape[i:] for i in range(1, len(shape))]
        if len(shape) == 2:
            smaller.append((1, shape[1]))
            smaller.append((shape[0], 1))
        left_shape, right_shape = shape, shape
        side = draw(st.integers(0, 2))
        if side == 1:
            left_shape = draw(st.sampled_from(smaller))
        elif side == 2:
            right_shape = draw(st.sampled_from(smaller))
        spellings = SPELLINGS[kind] + (["implicit"] if kind == "mul" else [])
        return Expr(
            kind,
            shape,
            [self.expr(left_shape, sub), self.expr(right_shape, sub)],
            spelling=draw(st.sampled_from(spellings)),
        )


@st.composite
def tensor_programs(draw: st.DrawFn, max_statements: int = 4, depth: int = 3) -> TensorProgram:
    """Statements over scalars, vectors and matrices with broadcasting, @, .T and reductions."""
    builder = _Builder(draw)
    count = draw(st.integers(1, max_statements))
    for k in range(count):
        last = k == count - 1
        shape = draw(st.sampled_from([(), (2,), (3,), (2, 3), (3, 2)])) if not last else None
        if shape is None:
            shape = draw(st.sampled_from([(), (), (3,), (2, 3)]))
        e = builder.expr(shape, depth)
        if e.kind in ("input", "name"):
            e = Expr("mul", shape, [Expr("number", (), number=2.0), e], spelling="implicit")
        name = f"t{k}"
        builder.statements.append((name, e))
        builder.named[name] = shape
    return TensorProgram(builder.statements, builder.inputs)


def input_values(draw: st.DrawFn, shapes: dict[str, tuple[int, ...]]) -> dict[str, object]:
    """Values away from the kinks of relu and abs, as JSON-style numbers and nested lists."""
    magnitude = st.floats(0.2, 1.5, allow_nan=False)
    values: dict[str, object] = {}
    for name, shape in shapes.items():
        n = math.prod(shape)
        flat = [draw(magnitude) * (1 if draw(st.booleans()) else -1) for _ in range(n)]
        values[name] = torch.tensor(flat, dtype=torch.float64).reshape(shape).tolist()
    return values


def single_assignment(program: TensorProgram, name_numbers: bool = True) -> TensorProgram:
    """The same program with every operation (and every number) in a statement of its own, so
    every node of the graph has a name the oracle can look up."""
    statements: list[tuple[str, Expr]] = []
    counter = 0

    def flatten(e: Expr, top: str | None = None) -> Expr:
        nonlocal counter
        if e.kind in ("input", "name"):
            return e
        if e.kind == "number" and not name_numbers:
            return e
        args = list(e.args)
        if e.kind == "pow" and e.spelling in ("²", "³"):
            args = [flatten(args[0]), args[1]]  # the glyph's exponent is part of the glyph
        else:
            args = [flatten(a) for a in args]
        flat = Expr(e.kind, e.shape, args, e.name, e.number, e.dim, e.spelling)
        if e.kind == "call":
            flat.name = e.name
        name = top or f"n{counter}"
        counter += 1
        statements.append((name, flat))
        return Expr("name", e.shape, name=name)

    for name, e in program.statements:
        result = flatten(e, top=name)
        if result.kind != "name" or result.name != name:
            statements.append(
                (name, Expr("mul", e.shape, [Expr("number", (), number=1.0), result], spelling="*"))
            )
    return TensorProgram(statements, program.input_shapes)
