"""Program text → parse tree (Lark) → DAG of nodes in forward (topological) order."""

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

from lark import Lark, Token, Tree, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.visitors import Transformer_NonRecursive

from app.errors import ErrorType, LimitError, UserError, error_at
from app.graph.grammar import GRAMMAR
from app.graph.ops import FUNCTIONS, OPERATORS

NodeKind = Literal["input", "const", "op"]

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)

# Operator tokens as a student reads them in an error message.
_TOKEN_WORDS = {
    "PLUS": "'+'",
    "MINUS": "'-'",
    "TIMES": "'*'",
    "DIV": "'/'",
    "POW": "'**'",
    "AT": "'@'",
    "LPAR": "'('",
    "RPAR": "')'",
    "EQUAL": "'='",
    "COMMA": "','",
    "NAME": "a name",
    "CALLNAME": "a function call",
    "NUMBER": "a number",
    "_SEP": "the end of the line",
    "$END": "the end of the program",
    "SQUARED": "'²'",
    "CUBED": "'³'",
    "TRANSPOSE": "'.T'",
}


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


def _unclosed_paren(source: str, end: int) -> int | None:
    """Offset of the innermost '(' still open at `end` in the statement that ends there."""
    start = max(source.rfind("\n", 0, end), source.rfind(";", 0, end)) + 1
    opened: list[int] = []
    for i in range(start, end):
        if source[i] == "(":
            opened.append(i)
        elif source[i] == ")" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _syntax_error(source: str, exc: UnexpectedInput) -> UserError:
    """Translate Lark's exception into a sentence a student understands."""
    pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(source)
    if isinstance(exc, UnexpectedCharacters):
        ch = source[pos] if pos < len(source) else ""
        if ch == ".":
            msg = "'.' can only be used in numbers and in x.T (transpose); attributes don't exist."
        elif ch == "_":
            msg = "names start with a letter, not '_'."
        elif ch in "'\"":
            msg = "text in quotes is not part of the language; use numbers and names."
        elif ch in "[]{}":
            msg = f"'{ch}' is not part of the language; give tensors as input values instead."
        else:
            msg = f"'{ch}' is not part of the language."
        return error_at(source, pos, pos + 1, msg, ErrorType.SYNTAX_ERROR)
    if isinstance(exc, UnexpectedToken | UnexpectedEOF):
        token = getattr(exc, "token", None)
        expected = set(getattr(exc, "expected", set()) or ())
        ttype = token.type if token is not None else "$END"
        at_end = ttype in ("$END", "_SEP")
        if at_end:
            pos = len(source) if ttype == "$END" else pos
            # point at the last character of the unfinished statement
            back = pos
            while back > 0 and source[back - 1] in " \t\r\n;":
                back -= 1
            start = max(back - 1, 0)
            if "RPAR" in expected and not (expected & {"NAME", "NUMBER", "LPAR"}):
                opened = _unclosed_paren(source, back)
                if opened is not None:
                    msg = "a ')' is missing: this parenthesis is opened but never closed."
                    return error_at(source, opened, opened + 1, msg, ErrorType.SYNTAX_ERROR)
                msg = "a ')' is missing: a parenthesis is opened but never closed."
            elif "EQUAL" in expected:
                msg = "a statement must assign a name, like z = 2*(a - b) + c."
            else:
                msg = "the expression ends too early: an operand is missing."
            return error_at(source, start, max(back, start + 1), msg, ErrorType.SYNTAX_ERROR)
        text = token.value if token is not None else ""
        end = pos + max(len(text), 1)
        if ttype == "RPAR":
            # Parentheses still open in this statement: `()` or `(a +)` lacks an operand.
            stmt_start = max(source.rfind("\n", 0, pos), source.rfind(";", 0, pos)) + 1
            still_open = source.count("(", stmt_start, pos) > source.count(")", stmt_start, pos)
            msg = (
                "an operand is missing before ')'."
                if "RPAR" in expected or still_open
                else "there is a ')' without a matching '('."
            )
        elif ttype == "EQUAL":
            msg = (
                "'=' can only follow the name at the start of a statement."
                if "EQUAL" not in expected
                else ""
            )
        elif "EQUAL" in expected or not expected & {"NUMBER", "LPAR", "PLUS", "MINUS", "RPAR"}:
            # After the name (expects '=') or at the start of a statement (expects a name).
            msg = "a statement must assign a name, like z = 2*(a - b) + c."
        elif ttype == "NUMBER" and "NUMBER" not in expected:
            msg = f"a number can't follow here without an operator; write *{text}."
        elif expected & {"NAME", "NUMBER", "LPAR", "CALLNAME"}:
            msg = f"an operand is missing before {_TOKEN_WORDS.get(ttype, repr(text))}."
        else:
            msg = f"{_TOKEN_WORDS.get(ttype, repr(text))} is not expected here."
        if not msg:
            msg = f"{_TOKEN_WORDS.get(ttype, repr(text))} is not expected here."
        return error_at(source, pos, end, msg, ErrorType.SYNTAX_ERROR)
    return error_at(source, pos, pos + 1, "the program can't be read here.", ErrorType.SYNTAX_ERROR)


def parse_program(source: str, *, max_chars: int, max_statements: int, max_nodes: int) -> Program:
    """Parse `source` into a Program, or raise a UserError with line, column and span."""
    if len(source) > max_chars:
        raise LimitError(f"the program has {len(source)} characters; the limit is {max_chars}")
    try:
        tree = _PARSER.parse(source)
    except UnexpectedInput as exc:
        raise _syntax_error(source, exc) from None
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
