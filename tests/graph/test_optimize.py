"""Gradient descent on a program against the textbook torch.optim loop, step for step."""

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

import pytest
import torch

from app.errors import LimitError, UserError
from app.graph.optimize import STEP_GRACE, optimize
from tests.graph.conftest import LIMITS, SETTINGS, parse

# The thermometer data of the seed notes (unknown units t_u, Celsius t_c).
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]
T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
THERMOMETER = "t_p = w*t_u + b\nloss = mean((t_p - t_c)**2)"

# Public optimizer name → the torch.optim class and keyword arguments the test expects.
TORCH_OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], dict[str, Any]]] = {
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "rmsprop": (torch.optim.RMSprop, {}),
    "adagrad": (torch.optim.Adagrad, {}),
    "adam": (torch.optim.Adam, {}),
}


def textbook_loop(
    objective: Callable[..., torch.Tensor],
    start: dict[str, Any],
    data: dict[str, Any],
    optimizer: str,
    lr: float,
    steps: int,
    dtype: torch.dtype,
    extra: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any], float]:
    """The plain PyTorch loop: zero_grad, forward, backward, step. Records every step."""
    params = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in start.items()}
    consts = {k: torch.tensor(v, dtype=dtype) for k, v in data.items()}
    cls, kwargs = TORCH_OPTIMIZERS[optimizer]
    opt = cls(params.values(), lr=lr, **(kwargs | (extra or {})))
    history = []
    for step in range(1, steps + 1):
        opt.zero_grad()
        loss = objective(**params, **consts)
        if not math.isfinite(loss.item()):
            history.append({"step": step, "loss": loss.item(), "diverged": True})
            break
        loss.backward()
        grad_norm = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in params.values()))
        history.append(
            {
                "step": step,
                "loss": loss.item(),
                "grad_norm": grad_norm,
                "params": {k: p.detach().tolist() for k, p in params.items()},
            }
        )
        opt.step()
    with torch.no_grad():
        final = objective(**params, **consts).item()
    return history, {k: p.detach().tolist() for k, p in params.items()}, final


def thermometer(w: torch.Tensor, b: torch.Tensor, t_u: torch.Tensor, t_c: torch.Tensor) -> Any:
    return ((w * t_u + b - t_c) ** 2).mean()


def rosenbrock(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def softmax_regression(w: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(x @ w, t.long())


X3 = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.7, 0.9, 0.1], [0.3, 0.3, -1.2]]
CASES = [
    # (program, objective, start, data, lr)
    (THERMOMETER, thermometer, {"w": 1.0, "b": 0.0}, {"t_u": T_U, "t_c": T_C}, 1e-4),
    ("loss = (1 - x)**2 + 100(y - x²)**2", rosenbrock, {"x": -1.0, "y": 1.0}, {}, 1e-3),
    (
        "loss = cross_entropy(x @ w, t)",
        softmax_regression,
        {"w": [[0.1, -0.2], [0.0, 0.3], [0.2, 0.1]]},
        {"x": X3, "t": [0, 1, 1, 0]},
        0.1,
    ),
]


def _run(program: str, start: dict[str, Any], data: dict[str, Any], **kwargs: Any) -> Any:
    kwargs.setdefault("max_history_param_elements", SETTINGS.max_history_param_elements)
    kwargs.setdefault("limits", LIMITS)
    return optimize(parse(program), {**start, **data}, params=list(start), **kwargs)


@pytest.mark.parametrize("optimizer", list(TORCH_OPTIMIZERS))
@pytest.mark.parametrize(("program", "objective", "start", "data", "lr"), CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_step_for_step_the_textbook_loop(
    optimizer: str,
    program: str,
    objective: Callable[..., torch.Tensor],
    start: dict[str, Any],
    data: dict[str, Any],
    lr: float,
    dtype: str,
) -> None:
    steps = 30
    want, want_params, want_final = textbook_loop(
        objective, start, data, optimizer, lr, steps, getattr(torch, dtype)
    )
    result = _run(
        program,
        start,
        data,
        objective="loss",
        steps=steps,
        record_every=1,
        optimizer={"name": optimizer, "lr": lr},
        dtype=dtype,
    )
    tol = {"rel": 1e-5, "abs": 1e-6} if dtype == "float32" else {"rel": 1e-10, "abs": 1e-12}
    assert result.status == "finished"
    assert result.steps_run == steps
    assert [h["step"] for h in result.history] == [h["step"] for h in want]
    for got, expected in zip(result.history, want, strict=True):
        assert got["loss"] == pytest.approx(expected["loss"], **tol)
        assert got["grad_norm"] == pytest.approx(expected["grad_norm"], **tol)
        for name, value in expected["params"].items():
            _close(got["params"][name], value, tol)
    assert result.loss == pytest.approx(want_final, **tol)
    for name, value in want_params.items():
        _close(result.params[name], value, tol)


def _close(got: Any, want: Any, tol: dict[str, float]) -> None:
    torch.testing.assert_close(
        torch.as_tensor(got, dtype=torch.float64),
        torch.tensor(want, dtype=torch.float64),
        rtol=tol["rel"],
        atol=tol["abs"],
    )


@pytest.mark.parametrize(
    ("name", "settings_", "extra"),
    [
        ("sgd", {"momentum": 0.5, "dampening": 0.1}, {"momentum": 0.5, "dampening": 0.1}),
        ("momentum", {"momentum": 0.8}, {"momentum": 0.8}),
        ("rmsprop", {"alpha": 0.9, "centered": True}, {"alpha": 0.9, "centered": True}),
        ("adagrad", {"lr_decay": 0.01}, {"lr_decay": 0.01}),
        ("adam", {"betas": [0.8, 0.99], "amsgrad": True}, {"betas": (0.8, 0.99), "amsgrad": True}),
    ],
)
def test_hyperparameters_reach_torch_optim(
    name: str, settings_: dict[str, Any], extra: dict[str, Any]
) -> None:
    data = {"t_u": T_U, "t_c": T_C}
    start = {"w": 1.0, "b": 0.0}
    want, _, _ = textbook_loop(thermometer, start, data, name, 1e-4, 20, torch.float64, extra)
    result = _run(
        THERMOMETER,
        start,
        data,
        objective="loss",
        steps=20,
        record_every=1,
        optimizer={"name": name, "lr": 1e-4, **settings_},
        dtype="float64",
    )
    assert [h["loss"] for h in result.history] == pytest.approx(
        [h["loss"] for h in want], rel=1e-10
    )


@pytest.mark.parametrize(("optimizer", "lr"), [("sgd", 1e-2), ("momentum", 1e-2), ("adam", 1e30)])
def test_divergence_stops_at_the_first_non_finite_objective(optimizer: str, lr: float) -> None:
    data = {"t_u": T_U, "t_c": T_C}
    start = {"w": 1.0, "b": 0.0}
    want, _, _ = textbook_loop(thermometer, start, data, optimizer, lr, 500, torch.float32)
    assert want[-1].get("diverged"), "the oracle loop must diverge for this test to mean much"
    bad_step = want[-1]["step"]
    result = _run(
        THERMOMETER,
        start,
        data,
        objective="loss",
        steps=500,
        record_every=100,
        optimizer={"name": optimizer, "lr": lr},
    )
    assert result.status == "diverged"
    assert result.steps_run == bad_step - 1
    assert result.history[-1]["step"] == bad_step
    assert not math.isfinite(result.history[-1]["loss"])
    assert f"step {bad_step}" in (result.reason or "")


@pytest.mark.parametrize(
    ("steps", "record_every", "recorded"),
    [
        (10, 1, list(range(1, 11))),
        (10, 3, [1, 3, 6, 9, 10]),
        (10, 5, [1, 5, 10]),
        (10, 100, [1, 10]),
        (1, 1, [1]),
        (7, 7, [1, 7]),
    ],
)
def test_history_keeps_step_one_every_kth_and_the_last(
    steps: int, record_every: int, recorded: list[int]
) -> None:
    result = _run(
        THERMOMETER,
        {"w": 1.0, "b": 0.0},
        {"t_u": T_U, "t_c": T_C},
        objective="loss",
        steps=steps,
        record_every=record_every,
        optimizer={"name": "sgd", "lr": 1e-4},
    )
    assert [h["step"] for h in result.history] == recorded


@pytest.mark.parametrize(("size", "kept"), [(1, True), (100, True), (101, False), (500, False)])
def test_history_params_are_omitted_above_the_element_limit(size: int, kept: bool) -> None:
    assert SETTINGS.max_history_param_elements == 100
    result = _run(
        "loss = mean((w - t)**2)",
        {"w": [0.0] * size},
        {"t": [1.0] * size},
        objective="loss",
        steps=3,
        record_every=1,
        optimizer={"name": "sgd", "lr": 0.1},
    )
    assert all(("params" in h) is kept for h in result.history)
    assert len(result.params["w"]) == size, "the final params are always given"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"params": []}, "at least one parameter"),
        ({"params": ["t_p"]}, "computed by the program"),
        ({"params": ["nope"]}, "no such input"),
        ({"optimizer": {"name": "lbfgs", "lr": 0.1}}, "unknown optimizer"),
        ({"optimizer": {"name": "sgd", "lr": 0}}, "learning rate"),
        ({"optimizer": {"name": "adam", "lr": 0.1, "momentum": 0.9}}, "no setting momentum"),
        ({"optimizer": {"name": "sgd", "lr": 0.1, "nesterov": True}}, "can't use these settings"),
        ({"objective": "t_p"}, "must be one number"),
        ({"objective": "zz"}, "no name zz"),
    ],
)
def test_bad_requests_are_graph_errors(kwargs: dict[str, Any], fragment: str) -> None:
    request: dict[str, Any] = {
        "params": ["w", "b"],
        "objective": "loss",
        "steps": 3,
        "record_every": 1,
        "optimizer": {"name": "sgd", "lr": 1e-4},
    } | kwargs
    with pytest.raises(UserError) as info:
        optimize(
            parse(THERMOMETER),
            {"w": 1.0, "b": 0.0, "t_u": T_U, "t_c": T_C},
            **request,
            limits=LIMITS,
        )
    assert fragment in info.value.message


def test_an_objective_that_ignores_the_parameters_is_a_clear_error() -> None:
    # `loss` does not depend on w at all: autograd has no gradient to give, so nothing runs.
    with pytest.raises(UserError) as info:
        optimize(
            parse("u = w\nloss = c*c"),
            {"w": 1.0, "c": 2.0},
            params=["w"],
            objective="loss",
            steps=3,
            record_every=1,
            optimizer={"name": "sgd", "lr": 0.1},
            limits=LIMITS,
        )
    assert "does not depend on w" in info.value.message


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_a_flat_objective_runs_and_leaves_the_parameters_where_they_are(optimizer: str) -> None:
    # `loss` depends on w with a gradient of exactly 0: the run is real and flat, as in the
    # textbook loop (the oracle) every step's gradient is 0 and w never moves.
    def flat(w: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return 0 * w + c * c

    want, want_params, want_final = textbook_loop(
        flat, {"w": 1.0}, {"c": 2.0}, optimizer, 0.1, 3, torch.float32
    )
    result = _run(
        "loss = 0*w + c*c",
        {"w": 1.0},
        {"c": 2.0},
        objective="loss",
        steps=3,
        record_every=1,
        optimizer={"name": optimizer, "lr": 0.1},
    )
    assert result.status == "finished" and result.steps_run == 3
    assert [h["grad_norm"] for h in result.history] == [h["grad_norm"] for h in want] == [0.0] * 3
    assert [h["loss"] for h in result.history] == [h["loss"] for h in want]
    assert float(result.params["w"]) == want_params["w"] == 1.0
    assert result.loss == want_final == 4.0


def test_a_run_stopped_by_the_clock_records_its_last_step() -> None:
    # About a few milliseconds a step: a 0.3 s limit stops it after some steps, on time.
    limit = 0.3
    start = time.perf_counter()
    result = optimize(
        parse("loss = mean((x @ w)**2)"),
        {"w": [[0.01] * 200] * 200, "x": [[1.0] * 200] * 200},
        params=["w"],
        objective="loss",
        steps=100_000,
        record_every=1000,
        optimizer={"name": "sgd", "lr": 0.001},
        limits=dataclasses.replace(LIMITS, max_seconds=limit),
    )
    took = time.perf_counter() - start
    assert result.status == "stopped" and 1 <= result.steps_run < 100_000
    assert result.history[-1]["step"] == result.steps_run  # the last step is recorded
    assert f"{limit:g} s" in (result.reason or "")
    assert took < limit + STEP_GRACE, took
    # The answer's loss is the objective after the last update: the same program evaluated
    # at the answer's parameters gives it.
    w = result.params["w"].detach().double()
    want = ((torch.ones(200, 200, dtype=torch.float64) @ w) ** 2).mean().item()
    assert result.loss == pytest.approx(want, rel=1e-4)


def test_one_step_far_past_the_limit_is_cut_off_inside_the_step() -> None:
    # One forward pass is ten 1000×1000 products (2 GFLOP each, well over a second on a
    # laptop): the clock stops it between ops, the limit plus STEP_GRACE after the start.
    chain = "\n".join(f"h{k} = h{k - 1} @ w" for k in range(1, 11))
    start = time.perf_counter()
    with pytest.raises(LimitError, match=r"took longer than 0\.01 s"):
        optimize(
            parse(f"h0 = x\n{chain}\nloss = mean(h10)"),
            {"w": [[0.001] * 1000] * 1000, "x": [[1.0] * 1000] * 1000},
            params=["w"],
            objective="loss",
            steps=10,
            record_every=1,
            optimizer={"name": "sgd", "lr": 0.001},
            limits=dataclasses.replace(LIMITS, max_seconds=0.01),
        )
    assert time.perf_counter() - start < 0.01 + STEP_GRACE + 1.0
