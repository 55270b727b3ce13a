"""Program text → parse tree (Lark) → DAG of nodes in forward (topological) order."""

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

from lark import Lark, Token, Tree, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.visitors import Transformer_NonRecursive

from app.errors import LimitError, UserError, error_at
from app.graph.grammar import GRAMMAR
from app.graph.ops import FUNCTIONS, OPERATORS
from app.graph.syntax_errors import syntax_error

NodeKind = Literal["input", "const", "op"]

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@dataclass
class Node:
    """One vertex of the computation graph."""

    id: str  # the name for inputs and named nodes, `_k` otherwise
    kind: NodeKind
    op: str | None  # key of OPS for op nodes
    name: str | None  # the assigned (or input) name
    label: str  # the source text it comes from
    inputs: list[str]  # argument node ids, in argument order (one per use)
    span: tuple[int, int]  # [start, end) in the source
    const: float | None = None  # the number, for const nodes
    static_args: tuple[int, ...] = ()  # integer arguments such as a dimension


@dataclass
class Program:
    """A parsed program: its nodes in forward order and its names."""

    source: str
    nodes: list[Node]
    names: dict[str, str] = field(default_factory=dict)  # assigned name → node id
    inputs: list[str] = field(default_factory=list)  # input names in order of first use
    assigned: list[str] = field(default_factory=list)  # assigned names in statement order

    def node(self, node_id: str) -> Node:
        """The node with this id."""
        return self._by_id[node_id]

    def __post_init__(self) -> None:
        self._by_id = {n.id: n for n in self.nodes}

    @property
    def default_output(self) -> str | None:
        """The last assigned name: the output unless the request names another."""
        return self.assigned[-1] if self.assigned else None


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" Did you mean {close[0]}?" if close else ""


@v_args(meta=True)
class _Builder(Transformer_NonRecursive):  # type: ignore[misc]
    """Builds nodes bottom-up while Lark walks the tree (no recursion, so deep nesting is fine)."""

    def __init__(self, source: str, assigned_at: dict[str, int], max_nodes: int) -> None:
        super().__init__()
        self.source = source
        self.assigned_at = assigned_at  # name → offset of its assignment
        self.max_nodes = max_nodes
        self.nodes: list[Node] = []
        self.names: dict[str, str] = {}
        self.inputs: list[str] = []
        self.counter = 0

    # -- helpers
    def _text(self, start: int, end: int) -> str:
        text = " ".join(self.source[start:end].split())
        return text if len(text) <= 40 else text[:39] + "…"

    def _add(self, kind: NodeKind, op: str | None, inputs: list[str], meta: Any, **kw: Any) -> str:
        if len(self.nodes) >= self.max_nodes:
            raise LimitError(f"the program has more than {self.max_nodes} nodes")
        start, end = meta.start_pos, meta.end_pos
        node_id = f"_{self.counter}"
        self.counter += 1
        self.nodes.append(
            Node(node_id, kind, op, None, self._text(start, end), inputs, (start, end), **kw)
        )
        return node_id

    def _op(self, op: str, meta: Any, *args: str) -> str:
        return self._add("op", op, list(args), meta)

    def _error(self, meta: Any, message: str) -> UserError:
        return error_at(self.source, meta.start_pos, meta.end_pos, message)

    # -- leaves
    def number(self, meta: Any, children: list[Token]) -> str:
        return self._add("const", None, [], meta, const=float(children[0]))

    def var(self, meta: Any, children: list[Token]) -> str:
        name = str(children[0])
        if name in self.names:
            return self.names[name]
        if name in FUNCTIONS:
            raise self._error(meta, f"{name} is a function: call it with parentheses, {name}(x).")
        if name in self.assigned_at:
            line = self.source.count("\n", 0, self.assigned_at[name]) + 1
            raise self._error(
                meta, f"{name} is used before it is defined (it is assigned on line {line})."
            )
        if name not in self.inputs:
            if len(self.nodes) >= self.max_nodes:
                raise LimitError(f"the program has more than {self.max_nodes} nodes")
            start = meta.start_pos
            self.nodes.append(Node(name, "input", None, name, name, [], (start, meta.end_pos)))
            self.inputs.append(name)
            self.names[name] = name
        return name

    # -- operators: a grammar rule named after an op of the table (`-> add`) builds that op
    # from the rule's operands, in order (the tokens between them, such as '+', are dropped).
    # x² and x³ are one node each: no exponent constant whose gradient (xⁿ·ln x) would be NaN
    # for a negative x and distract from the lesson.
    def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
        op = OPERATORS.get(str(data))
        if op is None:
            return super().__default__(data, children, meta)
        operands = [c for c in children if not isinstance(c, Token)]
        return self._op(op.name, meta, *operands)

    def pos(self, meta: Any, c: list[Any]) -> str:
        return str(c[1])

    def call(self, meta: Any, c: list[Any]) -> str:
        fname, args = str(c[0]), [str(a) for a in c[1:]]
        op = FUNCTIONS.get(fname)
        if op is None:
            hint = _suggest(fname, list(FUNCTIONS))
            if not hint or fname in self.names or fname in self.assigned_at:
                hint += f" To multiply, write {fname}*(…)."
            raise error_at(
                self.source,
                meta.start_pos,
                meta.start_pos + len(fname),
                f"unknown function {fname}.{hint}",
            )
        if not op.min_args <= len(args) <= op.max_args:
            want = (
                str(op.min_args)
                if op.min_args == op.max_args
                else f"{op.min_args} or {op.max_args}"
            )
            plural = "" if want == "1" else "s"
            raise self._error(meta, f"{fname} takes {want} argument{plural}, not {len(args)}.")
        static: list[int] = []
        if op.static_from is not None and len(args) > op.static_from:
            for arg_id in args[op.static_from :]:
                static.append(self._static_int(arg_id, fname))
            args = args[: op.static_from]
        return self._add("op", op.name, args, meta, static_args=tuple(static))

    def _static_int(self, node_id: str, fname: str) -> int:
        node = next((n for n in reversed(self.nodes) if n.id == node_id), None)
        # A named constant (`d = 1; sum(m, d)`) stays a node: later statements may use it.
        keep = node is not None and node.name is not None
        if node is not None and node.kind == "op" and node.op == "neg":
            inner = next(n for n in self.nodes if n.id == node.inputs[0])
            if inner.kind == "const" and inner.const is not None and inner.const.is_integer():
                if not keep:
                    self.nodes = [n for n in self.nodes if n.id not in (node.id, inner.id)]
                return -int(inner.const)
        if (
            node is None
            or node.kind != "const"
            or node.const is None
            or not node.const.is_integer()
        ):
            span = node.span if node else (0, 0)
            raise error_at(
                self.source,
                span[0],
                span[1],
                f"the dimension of {fname} must be a whole number such as 0 or -1.",
            )
        if not keep:
            self.nodes = [n for n in self.nodes if n.id != node_id]
        return int(node.const)

    # -- statements
    def stmt(self, meta: Any, c: list[Any]) -> str:
        name_tok: Token = c[0]
        name, rhs = str(name_tok), str(c[1])
        if name in FUNCTIONS:
            raise error_at(
                self.source,
                name_tok.start_pos or 0,
                name_tok.end_pos or 0,
                f"{name} is the name of a function; choose another name.",
            )
        node = next(n for n in reversed(self.nodes) if n.id == rhs)
        if node.name is not None or node.kind == "input" or node.id in self.names.values():
            # `d = a` or `e = d`: a node of its own, so every name is one vertex.
            rhs = self._add("op", "identity", [rhs], meta)
            node = self.nodes[-1]
            node.span = self._rhs_span(meta)
            node.label = self._text(*node.span)
        old_id = node.id
        node.id, node.name = name, name
        for n in self.nodes:
            n.inputs = [name if i == old_id else i for i in n.inputs]
        self.names[name] = name
        return name

    def _rhs_span(self, meta: Any) -> tuple[int, int]:
        eq = self.source.index("=", meta.start_pos)
        start = eq + 1
        while start < meta.end_pos and self.source[start] in " \t":
            start += 1
        return (start, meta.end_pos)


def _statement_names(tree: Tree[Any], source: str) -> tuple[dict[str, int], list[str]]:
    """Assigned names with their offsets; a second assignment is an error."""
    assigned_at: dict[str, int] = {}
    order: list[str] = []
    for stmt in tree.children:
        tok: Token = stmt.children[0]  # type: ignore[union-attr,assignment]
        name = str(tok)
        start = tok.start_pos or 0
        if name in assigned_at:
            first = source.count("\n", 0, assigned_at[name]) + 1
            raise error_at(
                source,
                start,
                start + len(name),
                f"{name} is already defined on line {first}; each name is assigned once "
                f"(choose a new name such as {name}2).",
            )
        assigned_at[name] = start
        order.append(name)
    return assigned_at, order


def parse_program(source: str, *, max_chars: int, max_statements: int, max_nodes: int) -> Program:
    """Parse `source` into a Program, or raise a UserError with line, column and span."""
    if len(source) > max_chars:
        raise LimitError(f"the program has {len(source)} characters; the limit is {max_chars}")
    try:
        tree = _PARSER.parse(source)
    except UnexpectedInput as exc:
        raise syntax_error(source, exc) from None
    if len(tree.children) > max_statements:
        raise LimitError(f"the program has more than {max_statements} statements")
    assigned_at, order = _statement_names(tree, source)
    builder = _Builder(source, assigned_at, max_nodes)
    try:
        builder.transform(tree)
    except VisitError as exc:
        raise exc.orig_exc from None
    return Program(source, builder.nodes, builder.names, builder.inputs, order)


__all__ = ["Node", "Program", "parse_program"]
