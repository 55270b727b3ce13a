"""The op table: every operator and function of the language, its torch implementation, its
symbol, its shape rule and its derivative rule in words.

Adding an op is one entry in `_OPS`; the parser (program.py), the engine (forward.py,
shapes.py, backward.py) and GET /api/v1/ops (which the Graph lab page reads for each op's
symbol and rule) all read this table. Two other places know of it, on purpose:

- an operator written with a new symbol (not a function call) needs its rule in the grammar
  (grammar.py, the documentation of the syntax), aliased to the op's name (`-> name`) and the
  entry marked `grammar_rule=True`; the transformer then builds it from the rule's operands;
- tests/graph/test_ops_oracle.py holds one oracle case per op (its gradient against finite
  differences), and fails for an op of the table without one.
"""

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812

from app.graph.op_functions import (
    OutShape,
    ShapeRule,
    Tensor,
    all_or_broadcast,
    all_or_dim,
    broadcast_shape,
    cross_entropy,
    log_softmax,
    matmul_shapes,
    maximum,
    minimum,
    one_number,
    reduction,
    same_shape,
    same_shapes,
    softmax,
    transpose,
)


@dataclass(frozen=True)
class Op:
    """One operation of the language."""

    name: str  # the public name (the API's `op` field, the function name when called)
    symbol: str  # how the graph view draws it
    fn: Callable[..., Tensor]  # the torch implementation on tensors
    rule: str  # the derivative rule, in words
    doc: str  # one line for the catalogue
    min_args: int = 1
    max_args: int = 1
    # Arguments from this index on must be integer constants (a dimension), not graph edges.
    static_from: int | None = None
    callable: bool = True  # False for operators that are only written as symbols
    elementwise: bool = False  # broadcasting op: its output shape is the inputs' broadcast
    # One autograd function of exactly these arguments, whatever their shapes (the engine then
    # backpropagates op by op; tests check every op against PyTorch's own backward pass).
    single: bool = True
    # Written with a symbol: the grammar rule of this name (grammar.py) builds it.
    grammar_rule: bool = False
    # For tensor arguments: the output's element count, or a sentence saying why the shapes
    # don't fit. Elementwise ops need none (their arguments must broadcast).
    shapes: ShapeRule | None = None
    # The output's shape from the arguments' shapes, in plain Python (a meta tensor op costs
    # 0.1-0.7 ms, too slow for 2,000 nodes); None: the op's function on meta tensors.
    out_shape: OutShape | None = None


_OPS = [
    # Operators.
    Op(
        "add",
        "+",
        torch.add,
        "∂(x+y)/∂x = 1, ∂(x+y)/∂y = 1",
        "a + b",
        2,
        2,
        callable=False,
        elementwise=True,
        grammar_rule=True,
        out_shape=broadcast_shape,
    ),
    Op(
        "sub",
        "−",
        torch.sub,
        "∂(x−y)/∂x = 1, ∂(x−y)/∂y = −1",
        "a − b",
        2,
        2,
        callable=False,
        elementwise=True,
        grammar_rule=True,
        out_shape=broadcast_shape,
    ),
    Op(
        "mul",
        "×",
        torch.mul,
        "∂(x·y)/∂x = y, ∂(x·y)/∂y = x",
        "a * b, 2a, 2(a − b)",
        2,
        2,
        callable=False,
        elementwise=True,
        grammar_rule=True,
        out_shape=broadcast_shape,
    ),
    Op(
        "div",
        "÷",
        torch.div,
        "∂(x/y)/∂x = 1/y, ∂(x/y)/∂y = −x/y²",
        "a / b",
        2,
        2,
        callable=False,
        elementwise=True,
        grammar_rule=True,
        out_shape=broadcast_shape,
    ),
    Op(
        "pow",
        "^",
        torch.pow,
        "∂(xʸ)/∂x = y·xʸ⁻¹, ∂(xʸ)/∂y = xʸ·ln x",
        "a ** b, a ^ b, a², a³, pow(a, b)",
        2,
        2,
        elementwise=True,
        grammar_rule=True,
        out_shape=broadcast_shape,
    ),
    Op(
        "square",
        "x²",
        torch.square,
        "d/dx x² = 2x",
        "x², square(x)",
        elementwise=True,
        grammar_rule=True,
        out_shape=same_shape,
    ),
    Op(
        "cube",
        "x³",
        lambda x: torch.pow(x, 3),
        "d/dx x³ = 3x²",
        "x³",
        callable=False,
        elementwise=True,
        grammar_rule=True,
        out_shape=same_shape,
    ),
    Op(
        "matmul",
        "@",
        torch.matmul,
        "∂(A@B)/∂A = G@Bᵀ, ∂(A@B)/∂B = Aᵀ@G (G: upstream)",
        "matrix product A @ B",
        2,
        2,
        callable=False,
        single=False,  # a batched or vector product is several functions
        grammar_rule=True,
        shapes=matmul_shapes,
    ),
    Op(
        "neg",
        "−",
        torch.neg,
        "∂(−x)/∂x = −1",
        "-a",
        callable=False,
        grammar_rule=True,
        out_shape=same_shape,
    ),
    Op(
        "identity",
        "=",
        torch.clone,
        "∂x/∂x = 1",
        "a name for a value: d = a",
        callable=False,
        out_shape=same_shape,
    ),
    # Functions.
    Op("exp", "exp", torch.exp, "d/dx eˣ = eˣ", "exponential", out_shape=same_shape),
    Op("log", "log", torch.log, "d/dx ln x = 1/x", "natural logarithm", out_shape=same_shape),
    Op("sqrt", "√", torch.sqrt, "d/dx √x = 1/(2√x)", "square root", out_shape=same_shape),
    Op("abs", "abs", torch.abs, "d/dx |x| = sign(x)", "absolute value", out_shape=same_shape),
    Op("sin", "sin", torch.sin, "d/dx sin x = cos x", "sine", out_shape=same_shape),
    Op("cos", "cos", torch.cos, "d/dx cos x = −sin x", "cosine", out_shape=same_shape),
    Op("tan", "tan", torch.tan, "d/dx tan x = 1 + tan²x", "tangent", out_shape=same_shape),
    Op(
        "tanh",
        "tanh",
        torch.tanh,
        "d/dx tanh x = 1 − tanh²x",
        "hyperbolic tangent",
        out_shape=same_shape,
    ),
    Op(
        "sigmoid",
        "σ",
        torch.sigmoid,
        "d/dx σ(x) = σ(x)(1 − σ(x))",
        "logistic sigmoid",
        out_shape=same_shape,
    ),
    Op(
        "relu",
        "relu",
        torch.relu,
        "d/dx relu(x) = 1 if x > 0 else 0",
        "rectified linear unit",
        out_shape=same_shape,
    ),
    Op(
        "leaky_relu",
        "lrelu",
        F.leaky_relu,
        "d/dx = 1 if x > 0 else 0.01",
        "leaky ReLU, slope 0.01 below zero",
        out_shape=same_shape,
    ),
    Op(
        "gelu",
        "gelu",
        F.gelu,
        "d/dx x·Φ(x) = Φ(x) + x·φ(x)",
        "Gaussian error linear unit",
        out_shape=same_shape,
    ),
    Op(
        "softplus",
        "softplus",
        F.softplus,
        "d/dx ln(1 + eˣ) = σ(x)",
        "ln(1 + eˣ)",
        out_shape=same_shape,
    ),
    Op(
        "min",
        "min",
        minimum,
        "1 for the smallest argument, 0 for the others",
        "min(x): smallest element; min(a, b): elementwise",
        1,
        2,
        elementwise=True,
        out_shape=all_or_broadcast,
    ),
    Op(
        "max",
        "max",
        maximum,
        "1 for the largest argument, 0 for the others",
        "max(x): largest element; max(a, b): elementwise",
        1,
        2,
        elementwise=True,
        out_shape=all_or_broadcast,
    ),
    Op(
        "sum",
        "Σ",
        reduction(torch.sum, torch.sum),
        "∂(Σx)/∂xᵢ = 1",
        "sum(x): all elements; sum(x, dim): along a dimension",
        1,
        2,
        static_from=1,
        out_shape=all_or_dim,
    ),
    Op(
        "mean",
        "mean",
        reduction(torch.mean, torch.mean),
        "∂(mean x)/∂xᵢ = 1/n",
        "mean(x): all elements; mean(x, dim): along a dimension",
        1,
        2,
        static_from=1,
        out_shape=all_or_dim,
    ),
    Op(
        "transpose",
        "ᵀ",
        transpose,
        "the gradient is transposed back",
        "transpose(x), x.T",
        grammar_rule=True,
    ),
    Op(
        "softmax",
        "softmax",
        softmax,
        "∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ)",
        "softmax(x) over the last dimension, softmax(x, dim)",
        1,
        2,
        static_from=1,
    ),
    Op(
        "log_softmax",
        "log_softmax",
        log_softmax,
        "∂/∂xⱼ = δᵢⱼ − softmax(x)ⱼ",
        "log_softmax(x) over the last dimension, log_softmax(x, dim)",
        1,
        2,
        static_from=1,
    ),
    Op(
        "mse",
        "MSE",
        F.mse_loss,
        "∂/∂pred = 2(pred − target)/n",
        "mse(pred, target): mean squared error",
        2,
        2,
        shapes=same_shapes("mse"),
        out_shape=one_number,
    ),
    Op(
        "bce",
        "BCE",
        F.binary_cross_entropy,
        "∂/∂p = (p − y)/(p(1 − p))/n",
        "bce(p, target): binary cross-entropy of probabilities p in [0, 1]",
        2,
        2,
        shapes=same_shapes("bce"),
        out_shape=one_number,
    ),
    Op(
        "cross_entropy",
        "CE",
        cross_entropy,
        "∂/∂logits = (softmax(logits) − onehot(y))/n",
        "cross_entropy(logits, target): target as class indices or probabilities",
        2,
        2,
        single=False,  # log_softmax, then nll_loss
    ),
]

OPS: dict[str, Op] = {op.name: op for op in _OPS}
FUNCTIONS: dict[str, Op] = {op.name: op for op in _OPS if op.callable}  # written name(args)
OPERATORS: dict[str, Op] = {op.name: op for op in _OPS if op.grammar_rule}  # grammar rules
