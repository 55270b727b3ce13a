"""Programs the benchmarks run: the seed's small graph and a generated 300-node graph."""

from app.graph.program import parse_program

SMALL_SOURCE = "z = 2(a − b) + c"
SMALL_VALUES = {"a": 3.0, "b": 1.0, "c": 0.5}

_STEPS = [
    "h{i} = tanh({p}) * a + b",
    "h{i} = sigmoid({p}) - {p} * c",
    "h{i} = sin({p}) + 0.5 * {p}",
    "h{i} = {p} * {p} / (1 + {p} * {p})",
]


def chain_program(n_nodes: int = 300) -> tuple[str, dict[str, float]]:
    """A program of at least `n_nodes` nodes mixing ops, fan-in and fan-out (all scalars)."""
    lines = ["h0 = a * b + c"]
    while True:
        source = "\n".join(lines)
        program = parse_program(source, max_chars=10**6, max_statements=10**4, max_nodes=10**5)
        if len(program.nodes) >= n_nodes:
            return source, {"a": 0.7, "b": -0.3, "c": 0.2}
        i = len(lines)
        lines.append(_STEPS[i % len(_STEPS)].format(i=i, p=f"h{i - 1}"))
