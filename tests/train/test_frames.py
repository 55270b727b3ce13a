"""The pure frame builders and the landscape, each against a hand-made or closed-form oracle."""

import itertools

import pytest
import torch
from torch import nn

from app.train import encode, frames
from app.train.landscape import DescentPath, LossLandscape, landscape_box


@pytest.mark.parametrize(
    ("p", "encoded"),
    [(0.0, 0), (1.0, 1000), (0.5, 500), (0.0004, 0), (0.0006, 1), (0.9996, 1000), (0.25, 250)],
)
def test_probabilities_travel_in_thousandths(p: float, encoded: int) -> None:
    assert encode.PROBABILITY_SCALE == 1000
    assert encode.thousandths(torch.tensor([[p]])) == [[encoded]]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.0, 10.0], (-1.0, 11.0)),  # 10 % of the range on each side
        ([2.0, 3.0], (1.5, 3.5)),  # at least 0.5
        ([4.0, 4.0], (3.5, 4.5)),  # a constant column still gets a box
        ([-20.0, 0.0, 20.0], (-24.0, 24.0)),
    ],
)
def test_axis_range(values: list[float], expected: tuple[float, float]) -> None:
    assert frames.axis_range(torch.tensor(values)) == pytest.approx(expected)


def test_grid_cells_run_row_by_row_from_the_lowest_x2() -> None:
    axes = {"x1": [0.0, 2.0], "x2": [10.0, 30.0], "resolution": 3}
    points = frames.grid_points(axes).tolist()
    want = [[x1, x2] for x2 in (10.0, 20.0, 30.0) for x1 in (0.0, 1.0, 2.0)]
    assert points == want
    value = frames.value_grid(axes, torch.tensor([p[0] + p[1] for p in want]))
    assert value["kind"] == "value" and value["values"][2][0] == 30.0  # row x2 = 30, x1 = 0
    assert value["x1"] == [0.0, 2.0] and value["resolution"] == 3


def test_probability_and_class_grids() -> None:
    axes = {"x1": [0.0, 1.0], "x2": [0.0, 1.0], "resolution": 2}
    two = frames.probability_grid(axes, torch.tensor([0.1, 0.2, 0.3, 0.9999]))
    assert two["kind"] == "probability" and two["scale"] == 1000
    assert two["values"] == [[100, 200], [300, 1000]]
    p = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.3, 0.4]])
    many = frames.probability_grid(axes, p)
    assert many["kind"] == "class" and many["classes"] == 3
    assert many["values"] == [[0, 1], [2, 2]] and many["confidence"] == [[700, 800], [600, 400]]


@pytest.mark.parametrize("full", [True, False])
def test_layer_frames(full: bool) -> None:
    torch.manual_seed(0)
    layers = [nn.Linear(2, 3), nn.Linear(3, 1)]
    loss = layers[1](torch.tanh(layers[0](torch.ones(4, 2)))).sum()
    loss.backward()
    described = frames.layer_frames(layers, ["tanh", "sigmoid"], full=full)
    assert [(d["name"], d["inputs"], d["units"], d["activation"]) for d in described] == [
        ("layer1", 2, 3, "tanh"),
        ("layer2", 3, 1, "sigmoid"),
    ]
    first = described[0]
    assert first["weight_norm"] == pytest.approx(float(layers[0].weight.norm()))
    assert first["grad_norm"] == pytest.approx(float(layers[0].weight.grad.norm()))  # type: ignore[union-attr]
    assert ("weight" in first) is full
    if full:
        assert first["weight"] == layers[0].weight.tolist()
        assert first["bias_grad"] == layers[0].bias.grad.tolist()  # type: ignore[union-attr]


def test_layers_before_any_update_have_no_gradients() -> None:
    described = frames.layer_frames([nn.Linear(1, 1)], ["none"], full=True)
    assert described[0]["grad_norm"] is None and described[0]["weight_grad"] is None


def test_the_descent_path_thins_itself_and_keeps_the_start() -> None:
    path = DescentPath(max_points=4)
    for step in range(20):
        path.record(step, float(step), -float(step))
    assert len(path.points) <= 4 and path.points[0] == [0.0, 0.0]
    steps = [int(w) for w, _ in path.points]
    assert steps == sorted(steps) and len({b - a for a, b in itertools.pairwise(steps)}) == 1


def test_the_box_holds_the_start_and_the_least_squares_fit() -> None:
    x = torch.tensor([0.0, 1.0, 2.0, 3.0])
    y = 2 * x + 1  # the fit is w = 2, b = 1 exactly
    w_lo, w_hi, b_lo, b_hi = landscape_box(x, y, [-4.0, 1.0])
    # w: start -4, fit 2 → centre -1, half 0.75 × 6; b: both 1 → at least ±1.
    assert (w_lo, w_hi, b_lo, b_hi) == pytest.approx((-5.5, 3.5, 0.0, 2.0))


def test_the_landscape_is_computed_once_per_version() -> None:
    calls: list[int] = []

    def objective(w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        return w.reshape(1, -1) ** 2 + b.reshape(-1, 1)

    x = torch.tensor([0.0, 1.0])
    land = LossLandscape(resolution=3, start=[0.0, 0.0], x=x, y=x, objective=objective)
    box = land.box()
    # The fit of y = x is w = 1, b = 0; from the start (0, 0): w in 0.5 ± 1, b in 0 ± 1.
    assert box == {"version": 1, "w": [-0.5, 1.5], "b": [-1.0, 1.0], "resolution": 3}
    assert calls == []  # frames need only the box
    surface = land.surface()
    # Row = b (-1, 0, 1), column = w (-0.5, 0.5, 1.5): w² + b.
    assert surface["loss"][0] == [-0.75, -0.75, 1.25] and surface["loss"][2][0] == 1.25
    assert land.surface() == surface and calls == [1]
    land.recompute()
    assert land.surface()["version"] == 2 and calls == [1, 1]
