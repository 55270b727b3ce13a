"""Presets: the seeds' scenarios, the one table the Training lab's menu and outside scripts read.

Each preset has a `group` and `title` (its place in the page's menu), a `note` (what to watch
for), a `doc` (one line for scripts), `run` (a POST /api/v1/runs body, sent as it is) and `view`
(page-only display options: `loss_scale` "linear" or "log" for the loss chart).
"""

from typing import Any, TypedDict


class Preset(TypedDict):
    """One preset of the catalogue (GET /api/v1/datasets → `presets[id]`)."""

    id: str  # the key of the table, repeated so an entry stands on its own
    group: str  # the menu group: the seed the scenario comes from
    title: str  # the menu entry
    note: str  # what to watch for, shown under the menu
    doc: str  # one line for scripts
    run: dict[str, Any]  # a valid POST /api/v1/runs body
    view: dict[str, Any]  # page-only display options


# Seed 001: t_c ≈ w·t_u + b, started where the textbook starts; 20 updates a frame at 20 frames
# a second so the landscape's path is drawn step by step.
THERMOMETER: dict[str, Any] = {
    "dataset": {"name": "thermometer"},
    "model": {"kind": "linear", "init": {"w": 1.0, "b": 0.0}},
    "loss": "mse",
    "optimizer": {"name": "sgd", "lr": 1e-2},
    "val_fraction": 0.0,
    "max_epochs": 5000,
    "steps_per_frame": 20,
    "frames_per_second": 20,
}
# Seeds 003/004: "learning details of the training sample instead of the underlying
# distribution": 15 training points of a noisy sine (the other 15 validate) and 4,300 weights.
SMALL_NOISY_SINE: dict[str, Any] = {
    "dataset": {"name": "sine", "n_samples": 30, "noise": 0.3, "seed": 1},
    "model": {"kind": "mlp", "hidden": [64, 64], "activation": "relu"},
    "optimizer": {"name": "adam", "lr": 0.01},
    "val_fraction": 0.5,
    "max_epochs": 2000,
}
CIRCLE: dict[str, Any] = {"name": "circle", "n_samples": 300, "noise": 0.3}
BLOBS: dict[str, Any] = {"name": "blobs", "n_samples": 300, "n_classes": 3, "noise": 0.5}

SEED_003_LOSSES = "Seed 003 · each loss with its output"


def _loss_case(dataset: dict[str, Any], output: str, loss: str) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "model": {"kind": "mlp", "hidden": [8], "activation": "tanh", "output": output},
        "loss": loss,
        "optimizer": {"name": "adam", "lr": 0.03},
        "batch_size": 30,
        "max_epochs": 300,
    }


def _loss_preset(key: str, dataset: dict[str, Any], output: str, loss: str, row: str) -> Preset:
    return {
        "id": key,
        "group": SEED_003_LOSSES,
        "title": row,
        "note": f"Seed 003's table, row “{row}”: the model ends in {output} and trains on "
        f"{loss}. Set Output to something else to see the mismatch explained.",
        "doc": f"Seed 003's table: {row}.",
        "run": _loss_case(dataset, output, loss),
        "view": {},
    }


_TABLE: list[Preset] = [
    {
        "id": "spiral",
        "group": "Start here",
        "title": "Spiral · MLP 8-8 tanh · Adam",
        "note": "Two hidden layers of 8 tanh units bend the boundary around the spiral. Raise "
        "the learning rate while it runs to watch it diverge.",
        "doc": "The issue's tour: spiral, MLP 8-8 tanh, Adam 0.03, batch 10, 20% validation.",
        "run": {
            "dataset": {"name": "spiral", "n_samples": 500, "noise": 0.1, "seed": 0},
            "model": {"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
            "loss": "bce_with_logits",
            "optimizer": {"name": "adam", "lr": 0.03},
            "batch_size": 10,
            "val_fraction": 0.2,
        },
        "view": {},
    },
    {
        "id": "thermometer_raw",
        "group": "Seed 001 · the thermometer",
        "title": "Raw t_u, lr 1e-2 (diverges)",
        "note": "t_c ≈ w·t_u + b on the raw readings: the gradient for w is huge, each step "
        "overshoots, and the loss blows up within a few steps.",
        "doc": "Seed 001: w·t_u + b on raw readings at lr 1e-2 diverges within a few steps.",
        "run": THERMOMETER,
        "view": {"loss_scale": "log"},
    },
    {
        "id": "thermometer_normalized",
        "group": "Seed 001 · the thermometer",
        "title": "Normalized t_u, lr 1e-2 (converges)",
        "note": "The same model and learning rate on z-scored t_u: the landscape is round, and "
        "the path walks straight to the bottom.",
        "doc": "Seed 001: the same with normalized inputs converges (MSE → 2.93).",
        "run": {**THERMOMETER, "normalize": True},
        "view": {"loss_scale": "log"},
    },
    {
        "id": "thermometer_scaled",
        "group": "Seed 001 · the thermometer",
        "title": "t_u × 0.1, as the book does (converges)",
        "note": "The book's own fix: t_un = 0.1 · t_u brings the gradient for w down to the "
        "size of b's. After 5,000 epochs at lr 1e-2: w 5.3671, b −17.3012, loss 2.927648.",
        "doc": "Seed 001: inputs scaled by 0.1 (t_un = 0.1 * t_u), 5,000 epochs of SGD at 1e-2.",
        "run": {**THERMOMETER, "normalize": {"kind": "scale", "factor": 0.1}},
        "view": {"loss_scale": "log"},
    },
    {
        "id": "overfitting",
        "group": "Seeds 003/004 · over- and underfitting",
        "title": "Big MLP, 15 noisy points (overfits)",
        "note": "15 training points of a noisy sine, 4,300 weights: the curve threads every "
        "training point, training loss goes to zero while validation loss climbs. The page "
        "flags it.",
        "doc": "Seed 003: a big MLP on 15 noisy points learns the noise; validation loss rises.",
        "run": SMALL_NOISY_SINE,
        "view": {"loss_scale": "log"},
    },
    {
        "id": "overfitting_l2",
        "group": "Seeds 003/004 · over- and underfitting",
        "title": "The same, held back by L2",
        "note": "An L2 penalty keeps the weights small: the curve stays smooth, training loss "
        "stays above zero and validation loss stays low.",
        "doc": "The same big MLP held back by an L2 penalty.",
        "run": {**SMALL_NOISY_SINE, "regularization": {"kind": "l2", "rate": 0.1}},
        "view": {"loss_scale": "log"},
    },
    _loss_preset("loss_mse", CIRCLE, "sigmoid", "mse", "y in [0, 1]: sigmoid + MSE"),
    _loss_preset("loss_bce", CIRCLE, "sigmoid", "bce", "binary: sigmoid + BCE"),
    _loss_preset(
        "loss_bce_with_logits", CIRCLE, "none", "bce_with_logits", "binary: linear + BCEWithLogits"
    ),
    _loss_preset("loss_nll", BLOBS, "log_softmax", "nll", "3 classes: log_softmax + NLL"),
    _loss_preset(
        "loss_cross_entropy", BLOBS, "none", "cross_entropy", "3 classes: linear + CrossEntropy"
    ),
    {
        "id": "go_out_perceptron",
        "group": "Seed 002 · the perceptron",
        "title": "Should I go out tonight?",
        "note": "Inputs: raining (0/1), lots of work (0/1), friends going (0–4). A perceptron "
        "learns a weight per input and a bias; friends matter most.",
        "doc": "Seed 002: should I go out tonight? A perceptron on raining, work, friends.",
        "run": {
            "dataset": {"name": "go_out"},
            "model": {"kind": "perceptron"},
            "optimizer": {"name": "sgd", "lr": 0.1},
            "val_fraction": 0.0,
            "max_epochs": 500,
        },
        "view": {},
    },
    {
        "id": "table_x1x2y",
        "group": "Seed 000 · the x1, x2, y table",
        "title": "Predict y, then the three '?' rows",
        "note": "Nine rows where y is known teach a linear model; the table shows its answer "
        "for the three rows where y is '?'.",
        "doc": "Seed 000: predict y from x1 and x2, and the three '?' rows.",
        "run": {
            "dataset": {"name": "table"},
            "model": {"kind": "linear"},
            "normalize": True,
            "optimizer": {"name": "sgd", "lr": 0.05},
            "val_fraction": 0.0,
            "max_epochs": 500,
        },
        "view": {},
    },
    {
        "id": "numpy_seed",
        "group": "Seed 004 · random numbers",
        "title": "N=64, 1000 → 100 ReLU → 10",
        "note": "Random x and random y: nothing to learn but noise, yet with this many weights "
        "the training loss still falls.",
        "doc": "Seed 004: N=64 rows of random x (1000) and y (10), a 100-unit ReLU layer.",
        "run": {
            "dataset": {"name": "random_regression", "n_samples": 64, "d_in": 1000, "d_out": 10},
            "model": {"kind": "mlp", "hidden": [100], "activation": "relu"},
            "optimizer": {"name": "sgd", "lr": 0.05},
            "val_fraction": 0.0,
            "max_epochs": 500,
        },
        "view": {"loss_scale": "log"},
    },
]

PRESETS: dict[str, Preset] = {p["id"]: p for p in _TABLE}
