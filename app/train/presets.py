"""Presets: the seeds' scenarios as ready run bodies (POST them to /api/v1/runs as they are)."""

from typing import Any

THERMOMETER: dict[str, Any] = {
    "dataset": {"name": "thermometer"},
    "model": {"kind": "linear", "init": {"w": 1.0, "b": 0.0}},  # the textbook's start
    "loss": "mse",
    "optimizer": {"name": "sgd", "lr": 1e-2},
    "val_fraction": 0.0,
    "max_epochs": 5000,
}
SMALL_NOISY_SINE: dict[str, Any] = {
    "dataset": {"name": "sine", "n_samples": 30, "noise": 0.3, "seed": 1},
    "model": {"kind": "mlp", "hidden": [64, 64], "activation": "relu"},
    "optimizer": {"name": "adam", "lr": 0.01},
    "val_fraction": 0.5,
    "max_epochs": 2000,
}
CIRCLE: dict[str, Any] = {"name": "circle", "n_samples": 300, "noise": 0.3}
BLOBS: dict[str, Any] = {"name": "blobs", "n_samples": 300, "n_classes": 3, "noise": 0.5}


def _loss_case(dataset: dict[str, Any], output: str, loss: str) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "model": {"kind": "mlp", "hidden": [8], "activation": "tanh", "output": output},
        "loss": loss,
        "optimizer": {"name": "adam", "lr": 0.03},
        "batch_size": 30,
        "max_epochs": 300,
    }


PRESETS: dict[str, dict[str, Any]] = {
    "spiral": {
        "doc": "The issue's tour: spiral, MLP 8-8 tanh, Adam 0.03, batch 10, 20% validation.",
        "run": {
            "dataset": {"name": "spiral", "n_samples": 500, "noise": 0.1, "seed": 0},
            "model": {"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
            "loss": "bce_with_logits",
            "optimizer": {"name": "adam", "lr": 0.03},
            "batch_size": 10,
            "val_fraction": 0.2,
        },
    },
    "thermometer_raw": {
        "doc": "Seed 001: w·t_u + b on raw readings at lr 1e-2 diverges within a few steps.",
        "run": THERMOMETER,
    },
    "thermometer_normalized": {
        "doc": "Seed 001: the same with normalized inputs converges (MSE → 2.93).",
        "run": {**THERMOMETER, "normalize": True},
    },
    "overfitting": {
        "doc": "Seed 003: a big MLP on 15 noisy points learns the noise; validation loss rises.",
        "run": SMALL_NOISY_SINE,
    },
    "overfitting_l2": {
        "doc": "The same big MLP held back by an L2 penalty.",
        "run": {**SMALL_NOISY_SINE, "regularization": {"kind": "l2", "rate": 0.01}},
    },
    "loss_mse": {
        "doc": "Seed 003's table: binary labels, sigmoid + MSE.",
        "run": _loss_case(CIRCLE, "sigmoid", "mse"),
    },
    "loss_bce": {
        "doc": "Seed 003's table: sigmoid + BCE.",
        "run": _loss_case(CIRCLE, "sigmoid", "bce"),
    },
    "loss_bce_with_logits": {
        "doc": "Seed 003's table: linear output + BCEWithLogits (the sigmoid inside the loss).",
        "run": _loss_case(CIRCLE, "none", "bce_with_logits"),
    },
    "loss_nll": {
        "doc": "Seed 003's table: 3 classes, log_softmax + NLL.",
        "run": _loss_case(BLOBS, "log_softmax", "nll"),
    },
    "loss_cross_entropy": {
        "doc": "Seed 003's table: 3 classes, linear output + CrossEntropy.",
        "run": _loss_case(BLOBS, "none", "cross_entropy"),
    },
    "go_out_perceptron": {
        "doc": "Seed 002: should I go out tonight? A perceptron on raining, work, friends.",
        "run": {
            "dataset": {"name": "go_out"},
            "model": {"kind": "perceptron"},
            "optimizer": {"name": "sgd", "lr": 0.1},
            "val_fraction": 0.0,
            "max_epochs": 500,
        },
    },
    "table_x1x2y": {
        "doc": "Seed 000: predict y from x1 and x2, and the three '?' rows.",
        "run": {
            "dataset": {"name": "table"},
            "model": {"kind": "linear"},
            "normalize": True,
            "optimizer": {"name": "sgd", "lr": 0.05},
            "val_fraction": 0.0,
            "max_epochs": 500,
        },
    },
    "numpy_seed": {
        "doc": "Seed 004: N=64 rows of random x (1000) and y (10), a 100-unit ReLU layer.",
        "run": {
            "dataset": {"name": "random_regression", "n_samples": 64, "d_in": 1000, "d_out": 10},
            "model": {"kind": "mlp", "hidden": [100], "activation": "relu"},
            "optimizer": {"name": "sgd", "lr": 0.05},
            "val_fraction": 0.0,
            "max_epochs": 500,
        },
    },
}
