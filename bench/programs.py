"""Programs the benchmarks run: the seed's small graph and a generated 300-node graph."""

SMALL_SOURCE = "z = 2(a − b) + c"
SMALL_VALUES = {"a": 3.0, "b": 1.0, "c": 0.5}


def chain_program(n_nodes: int = 300) -> tuple[str, dict[str, float]]:
    """A program of about `n_nodes` nodes mixing ops, fan-in and fan-out (all scalars)."""
    lines = ["h0 = a * b + c"]
    count = 6  # a, b, c, a*b, +, the name
    i = 0
    while count < n_nodes:
        i += 1
        prev = f"h{i - 1}"
        kind = i % 4
        if kind == 0:
            lines.append(f"h{i} = tanh({prev}) * a + b")
            count += 4
        elif kind == 1:
            lines.append(f"h{i} = sigmoid({prev}) - {prev} * c")
            count += 4
        elif kind == 2:
            lines.append(f"h{i} = sin({prev}) + 0.5 * {prev}")
            count += 5
        else:
            lines.append(f"h{i} = {prev} * {prev} / (1 + {prev} * {prev})")
            count += 7
    return "\n".join(lines), {"a": 0.7, "b": -0.3, "c": 0.2}
