"""Fuzz the running server with generated malformed programs and bodies: every answer is a 4xx
of the documented shape, never a 5xx. Each case is malformed by construction."""

import json
import random
from collections.abc import Iterator
from typing import Any

import httpx

from tests.api.conftest import assert_error

EVALUATE = "/api/v1/graphs/evaluate"
OPTIMIZE = "/api/v1/graphs/optimize"

VALID = [
    "z = 2(a − b) + c",
    "d = a - b\nz = 2*d + c",
    "h = relu(x @ w)\nloss = mean((h - y)**2)",
    "z = sigmoid(w*x + b)",
    "z = a² + b³ - sin(a)/cos(b)",
    "z = sum(softmax(m, 0))",
    "t_p = w*t_u + b; loss = mean((t_p - t_c)^2)",
]
FORBIDDEN = [*list("[]{}'\"`!$?:\\&|<>~%"), "__", "._x", ".__class__", "import ", "lambda "]
DANGLING = ["+", "-", "*", "/", "**", "^", "@", "×", "÷", "(", "sin(", "= 1", ",", "."]
NOT_NUMBERS = ["x", "", None, True, {}, {"a": 1}, "1,2", "Infinityy", "nan", [[1], [2, 3]]]


def malformed_programs(rng: random.Random) -> Iterator[tuple[str, dict[str, Any]]]:
    """Programs that are wrong in the text, or whose values can't fit them."""
    while True:
        source = rng.choice(VALID)
        kind = rng.randrange(6)
        at = rng.randrange(len(source) + 1)
        if kind == 0:  # a character or word that is not part of the language, anywhere
            source = source[:at] + rng.choice(FORBIDDEN) + source[at:]
        elif kind == 1:  # an expression that ends too early
            source = source + " " + rng.choice(DANGLING)
        elif kind == 2:  # an unclosed parenthesis
            source = source.replace("(", "((", 1) if "(" in source else source + " + (a"
            source = source + "\n" if rng.random() < 0.5 else source
        elif kind == 3:  # a redefined name
            first = source.split("=", 1)[0].strip()
            source = source + f"\n{first} = 1"
        elif kind == 4:  # random bytes of the language's alphabet after a forbidden one
            noise = "".join(rng.choice("ab12+-*/()=;\n ²·") for _ in range(rng.randrange(1, 20)))
            source = source[:at] + "{" + noise + source[at:]
        else:  # an unknown function
            name = "".join(rng.choice("qxzkv") for _ in range(rng.randrange(2, 6)))
            source = source + f"\nextra = {name}(a)"
        yield source, {}


def malformed_bodies(rng: random.Random) -> Iterator[tuple[str, bytes | dict[str, Any]]]:
    """Bodies whose JSON, fields, types or values are wrong."""
    good: dict[str, Any] = {"source": "z = a * b", "values": {"a": 1, "b": [1, 2]}}
    while True:
        kind = rng.randrange(16)
        body: dict[str, Any] = json.loads(json.dumps(good))
        path = EVALUATE
        if kind == 0:
            yield path, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))
            continue
        if kind == 1:
            text = json.dumps(body)
            yield path, text[: rng.randrange(1, len(text) - 1)].encode()
            continue
        if kind == 2:
            yield path, b'{"source": "z = a", "values": {"a": ' + b"9" * 5000 + b"}}"
            continue
        if kind == 3:
            depth = rng.randrange(2000, 20000)
            yield path, b'{"source": "z = a", "values": {"a": ' + b"[" * depth + b"1" + b"]" * depth
            continue
        if kind == 4:
            del body[rng.choice(["source"])]
        elif kind == 5:
            body["source"] = rng.choice([1, None, True, [], {}, 1.5])
        elif kind == 6:
            body["values"] = rng.choice([1, "a", [], None, True, [1, 2]])
        elif kind == 7:
            body["values"]["a"] = rng.choice(NOT_NUMBERS)
        elif kind == 8:
            row = rng.randrange(1, 5)
            body["values"]["b"] = [[0.0] * row, [0.0] * (row + 1)]
        elif kind == 9:
            body["dtype"] = rng.choice(["float16", "int", "", 32, None, "FLOAT32"])
        elif kind == 10:
            body["output"] = rng.choice([1, [], {}, True, "nope", "q" * 100])
        elif kind == 11:
            body[rng.choice(["sourc", "value", "x", "__class__"])] = 1
        elif kind == 12:
            body["nudge"] = rng.choice(
                [
                    {"input": "q"},
                    {"input": "a", "epsilon": "x"},
                    {"input": "b", "index": [7]},
                    {"input": "b", "index": "0"},
                    {},
                    1,
                    {"input": "a", "epsilon": 0.1, "extra": 1},
                ]
            )
        elif kind == 13:
            body["values"] = {"a": 1, "b": [1, 2], rng.choice(["c", "z", "__x"]): 1}
        elif kind == 14:
            path = OPTIMIZE
            body = {"source": "loss = mean((w*x - y)**2)", "values": {"w": 1, "x": [1], "y": [2]}}
            body |= rng.choice(
                [
                    {},
                    {"params": "w"},
                    {"params": [1]},
                    {"params": ["x", "q"]},
                    {"params": ["w"], "steps": rng.choice([0, -1, "ten", 1.5, 10**12])},
                    {"params": ["w"], "record_every": rng.choice([0, -5, None])},
                    {"params": ["w"], "optimizer": {"name": rng.choice(["sgdd", "", 1])}},
                    {"params": ["w"], "optimizer": {"name": "sgd", "lr": rng.choice([0, -1, "a"])}},
                    {"params": ["w"], "optimizer": {"name": "adam", "lr": 0.1, "betas": [1]}},
                    {"params": ["w"], "optimizer": {"name": "adam", "lr": 0.1, "momentum": 0.9}},
                    {"params": ["w"], "optimizer": {"name": "sgd", "lr": 0.1, "nesterov": True}},
                    {"params": ["w"], "objective": rng.choice(["nope", 1])},
                ]
            )
        else:
            body["values"]["b"] = [rng.choice(["1", "NaN ", "inf", "-", "1e400x"]), 2]
        yield path, body


def _send(client: httpx.Client, path: str, body: bytes | dict[str, Any]) -> httpx.Response:
    if isinstance(body, bytes):
        return client.post(path, content=body, headers={"content-type": "application/json"})
    return client.post(path, json=body)


def test_a_thousand_malformed_programs_and_bodies_get_clean_4xx(server_url: str) -> None:
    rng = random.Random(2024)
    programs = malformed_programs(rng)
    bodies = malformed_bodies(rng)
    sent = 0
    types: set[str] = set()
    with httpx.Client(base_url=server_url, timeout=30) as client:
        for _ in range(550):
            source, values = next(programs)
            response = client.post(EVALUATE, json={"source": source, "values": values})
            types.add(assert_error(response, source)["type"])
            sent += 1
        for _ in range(550):
            path, body = next(bodies)
            response = _send(client, path, body)
            source = body.get("source") if isinstance(body, dict) else None
            types.add(assert_error(response, source if isinstance(source, str) else None)["type"])
            sent += 1
    assert sent >= 1000
    assert {"syntax_error", "program_error", "invalid_request", "invalid_value"} <= types
