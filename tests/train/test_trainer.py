"""The trainer against a plain PyTorch loop written with the same pieces (the oracle), plus
divergence, overfitting, early stopping, frames and the loss-mismatch table of seed 003."""

import math
from typing import Any

import pytest
import torch
from torch import nn
from torch.nn import functional

from app.errors import UserError
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train.trainer import TrainConfig, Trainer

LIMITS = TrainLimits()

# The oracle's own vocabulary, written out as a student would.
ORACLE_ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}
ORACLE_OUTPUTS = {"none": nn.Identity, "sigmoid": nn.Sigmoid, "log_softmax": nn.LogSoftmax}
ORACLE_LOSSES = {
    "mse": functional.mse_loss,
    "l1": functional.l1_loss,
    "bce": functional.binary_cross_entropy,
    "bce_with_logits": functional.binary_cross_entropy_with_logits,
    "nll": functional.nll_loss,
    "cross_entropy": functional.cross_entropy,
}
ORACLE_OPTIMIZERS = {
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr, foreach=True),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, foreach=True),
    "nesterov": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True, foreach=True),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr, foreach=True),
    "adagrad": lambda p, lr: torch.optim.Adagrad(p, lr=lr, foreach=True),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr, foreach=True),
}


def plain_loop_losses(config: TrainConfig, steps: int) -> list[float]:
    """The textbook loop: shuffle each epoch with the seed, forward, loss, backward, step."""
    name = config.dataset["name"]
    data = ds.make_dataset(name, {k: v for k, v in config.dataset.items() if k != "name"}, LIMITS)
    features = ds.compute_features(
        data.x, data.input_names, config.features or list(data.input_names)
    )
    train, _ = ds.split_indices(n=len(features), val_fraction=config.val_fraction, seed=config.seed)
    norm = ds.fit_normalization(features[train], normalize=config.normalize)
    x = norm.apply(features[train])
    loss_name = config.loss
    if loss_name in ("nll", "cross_entropy"):
        y = data.y[train].long()
    elif loss_name in ("bce", "bce_with_logits"):
        y = data.y[train].float().unsqueeze(1)
    else:
        y = data.y[train].float()
    # Same starting weights as the trainer's model; everything else is the oracle's own.
    start = Trainer(config, LIMITS).model.linears
    layers: list[nn.Module] = []
    activation = config.model.get("activation", "relu")
    for i, source in enumerate(start):
        linear = nn.Linear(source.in_features, source.out_features)
        linear.load_state_dict(source.state_dict())
        layers.append(linear)
        if i < len(start) - 1:
            layers.append(ORACLE_ACTIVATIONS[activation]())
    output = config.model.get("output", "none")
    layers.append(
        ORACLE_OUTPUTS[output](dim=1) if output == "log_softmax" else ORACLE_OUTPUTS[output]()
    )
    model = nn.Sequential(*layers)
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    optimizer = ORACLE_OPTIMIZERS[config.optimizer["name"]](
        model.parameters(), config.optimizer["lr"]
    )
    reg = config.regularization or {"kind": "none", "rate": 0.0}
    batch = config.batch_size or len(x)
    generator = torch.Generator().manual_seed(config.seed)
    losses: list[float] = []
    while len(losses) < steps:
        order = (
            torch.randperm(len(x), generator=generator) if batch < len(x) else torch.arange(len(x))
        )
        for i in range(0, len(x), batch):
            index = order[i : i + batch]
            loss = ORACLE_LOSSES[loss_name](model(x[index]), y[index])
            objective = loss
            if reg["kind"] == "l2":
                objective = loss + reg["rate"] * sum((w**2).sum() for w in weights)
            elif reg["kind"] == "l1":
                objective = loss + reg["rate"] * sum(w.abs().sum() for w in weights)
            optimizer.zero_grad()
            objective.backward()
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses


def trainer_losses(config: TrainConfig, steps: int) -> list[float]:
    trainer = Trainer(config, LIMITS)
    return [trainer.step().record.loss for _ in range(steps)]


SPIRAL = {"name": "spiral", "n_samples": 120, "noise": 0.1}
MLP = {"kind": "mlp", "hidden": [8, 8], "activation": "tanh", "output": "none"}


@pytest.mark.parametrize(
    ("optimizer", "lr"),
    [
        ("sgd", 0.1),
        ("momentum", 0.05),
        ("nesterov", 0.05),
        ("rmsprop", 0.01),
        ("adagrad", 0.1),
        ("adam", 0.03),
    ],
)
def test_each_optimizer_matches_the_plain_loop(optimizer: str, lr: float) -> None:
    config = TrainConfig(
        dataset=SPIRAL,
        model=MLP,
        loss="bce_with_logits",
        optimizer={"name": optimizer, "lr": lr},
        batch_size=10,
        seed=3,
    )
    assert trainer_losses(config, 60) == pytest.approx(plain_loop_losses(config, 60), rel=1e-5)


LOSS_CASES: list[tuple[str, dict[str, Any], str, str, dict[str, Any] | None, list[str] | None]] = [
    ("mse", {"name": "plane", "n_samples": 80}, "relu", "none", None, None),
    ("mse", {"name": "bumps", "n_samples": 80}, "tanh", "none", {"kind": "l2", "rate": 0.01}, None),
    ("l1", {"name": "sine", "n_samples": 80}, "tanh", "none", {"kind": "l1", "rate": 0.001}, None),
    ("bce", {"name": "circle", "n_samples": 80}, "relu", "sigmoid", None, None),
    ("bce_with_logits", {"name": "xor", "n_samples": 80}, "tanh", "none", None, ["x1", "x1*x2"]),
    ("nll", {"name": "blobs", "n_samples": 90}, "relu", "log_softmax", None, None),
    (
        "cross_entropy",
        {"name": "blobs", "n_samples": 90},
        "gelu",
        "none",
        {"kind": "l2", "rate": 0.01},
        None,
    ),
    ("cross_entropy", {"name": "moons", "n_samples": 80}, "sigmoid", "none", None, None),
]


@pytest.mark.parametrize(("loss", "dataset", "activation", "output", "reg", "features"), LOSS_CASES)
@pytest.mark.parametrize("batch_size", [None, 7])
def test_each_loss_matches_the_plain_loop(
    loss: str,
    dataset: dict[str, Any],
    activation: str,
    output: str,
    reg: dict[str, Any] | None,
    features: list[str] | None,
    batch_size: int | None,
) -> None:
    config = TrainConfig(
        dataset=dataset,
        model={"kind": "mlp", "hidden": [6], "activation": activation, "output": output},
        features=features,
        normalize=True,
        loss=loss,
        regularization=reg,
        optimizer={"name": "sgd", "lr": 0.1},
        batch_size=batch_size,
        seed=1,
    )
    assert trainer_losses(config, 40) == pytest.approx(plain_loop_losses(config, 40), rel=1e-5)


def test_same_config_same_losses_even_with_dropout() -> None:
    config = TrainConfig(
        dataset=SPIRAL,
        model={**MLP, "dropout": 0.3},
        loss="bce_with_logits",
        optimizer={"name": "adam", "lr": 0.03},
        batch_size=10,
    )
    assert trainer_losses(config, 50) == trainer_losses(config, 50)


def test_history_entry_is_the_mean_of_the_epoch_losses() -> None:
    config = TrainConfig(dataset=SPIRAL, model=MLP, batch_size=25, optimizer={"name": "sgd"})
    trainer = Trainer(config, LIMITS)
    n_per_epoch = math.ceil(trainer.n_train / 25)
    outcomes = [trainer.step() for _ in range(n_per_epoch)]
    entry = outcomes[-1].history
    assert entry is not None and all(o.history is None for o in outcomes[:-1])
    assert entry["train_loss"] == pytest.approx(sum(o.record.loss for o in outcomes) / n_per_epoch)
    assert entry["epoch"] == 1 and entry["step"] == n_per_epoch
    assert 0 <= entry["val_accuracy"] <= 1 and entry["val_loss"] > 0


THERMOMETER = {"name": "thermometer"}
TEXTBOOK_LINEAR = {"kind": "linear", "init": {"w": 1.0, "b": 0.0}}


def test_thermometer_raw_inputs_diverge_at_lr_1e_2() -> None:
    config = TrainConfig(
        dataset=THERMOMETER,
        model=TEXTBOOK_LINEAR,
        optimizer={"name": "sgd", "lr": 1e-2},
        val_fraction=0.0,
    )
    outcomes = list(Trainer(config, LIMITS).steps())
    assert outcomes[-1].diverged and "too large" in outcomes[-1].diverged
    assert len(outcomes) < 20
    # The first loss is the textbook's 1763.88 for w = 1, b = 0.
    assert outcomes[0].record.loss == pytest.approx(1763.8848, rel=1e-5)


def normalized_thermometer(**changes: Any) -> TrainConfig:
    """Seed 001's model at lr 1e-2 on z-scored t_u, the whole set as one batch."""
    return TrainConfig(
        dataset=THERMOMETER,
        model=TEXTBOOK_LINEAR,
        optimizer={"name": "sgd", "lr": 1e-2},
        normalize=True,
        val_fraction=0.0,
        **changes,
    )


def test_thermometer_normalized_inputs_converge() -> None:
    config = normalized_thermometer(max_epochs=2000)
    outcomes = list(Trainer(config, LIMITS).steps())
    assert outcomes[-1].finished and not outcomes[-1].diverged
    # The least-squares fit of the seed's data has MSE 2.9276 (closed form, below).
    x = torch.tensor(ds.THERMOMETER_T_U, dtype=torch.float64)
    y = torch.tensor(ds.THERMOMETER_T_C, dtype=torch.float64)
    design = torch.stack([x, torch.ones_like(x)], 1)
    fit = torch.linalg.lstsq(design, y.unsqueeze(1)).solution[:, 0]
    best = float(((design @ fit - y) ** 2).mean())
    assert outcomes[-1].record.loss == pytest.approx(best, rel=1e-3)


def test_target_loss_stops_early() -> None:
    config = normalized_thermometer(target_loss=10.0)
    outcomes = list(Trainer(config, LIMITS).steps())
    assert outcomes[-1].finished and "target" in outcomes[-1].finished
    assert outcomes[-1].history is not None and outcomes[-1].history["train_loss"] <= 10.0
    assert outcomes[-2].history is not None and outcomes[-2].history["train_loss"] > 10.0


def test_overfitting_is_flagged() -> None:
    config = TrainConfig(
        dataset={"name": "sine", "n_samples": 24, "noise": 0.4},
        model={"kind": "mlp", "hidden": [64, 64], "activation": "relu"},
        optimizer={"name": "adam", "lr": 0.01},
        val_fraction=0.5,
        max_epochs=200,
        overfit_patience=20,
    )
    changes = [o.overfitting for o in Trainer(config, LIMITS).steps() if o.overfitting]
    assert changes and changes[0].flagged
    assert changes[0].reason.startswith("overfitting: validation loss rose from")


def test_landscape_matches_the_loss_of_the_model_at_those_parameters() -> None:
    config = TrainConfig(
        dataset=THERMOMETER,
        model=TEXTBOOK_LINEAR,
        normalize=True,
        val_fraction=0.0,
        regularization={"kind": "l2", "rate": 0.1},
    )
    trainer = Trainer(config, LIMITS)
    w = torch.tensor([0.5, 2.0, 8.0])
    b = torch.tensor([-1.0, 10.0])
    surface = trainer.loss_surface(w, b)
    for i, bi in enumerate(b):
        for j, wj in enumerate(w):
            pred = wj * trainer.x_train[:, 0] + bi
            want = float(((pred - trainer.y_train[:, 0]) ** 2).mean() + 0.1 * wj**2)
            assert float(surface[i, j]) == pytest.approx(want, rel=1e-5)


def test_frame_for_a_two_parameter_model() -> None:
    config = TrainConfig(
        dataset=THERMOMETER,
        model=TEXTBOOK_LINEAR,
        normalize=True,
        val_fraction=0.0,
        grid_resolution=20,
    )
    trainer = Trainer(config, LIMITS)
    for _ in range(5):
        trainer.step()
    frame = trainer.frame()
    land = frame["landscape"]
    assert "loss" not in land and land["version"] == 1 and land["resolution"] == 20
    surface = trainer.landscape_surface()
    assert len(surface["loss"]) == 20 and len(surface["loss"][0]) == 20
    assert {k: surface[k] for k in ("version", "w", "b", "resolution")} == {
        k: land[k] for k in ("version", "w", "b", "resolution")
    }
    assert land["path"][0] == [1.0, 0.0] and len(land["path"]) == 6
    assert land["path"][-1] == pytest.approx([frame["params"]["w"], frame["params"]["b"]])
    assert len(frame["curve"]["x"]) == len(frame["curve"]["y"]) == 200
    assert frame["layers"][0]["weight"] == [[pytest.approx(frame["params"]["w"])]]


@pytest.mark.parametrize(
    ("dataset", "kind", "grid_kind"),
    [
        ({"name": "spiral"}, "mlp", "probability"),
        ({"name": "blobs"}, "mlp", "class"),
        ({"name": "plane"}, "linear", "value"),
        ({"name": "gauss"}, "perceptron", "probability"),
    ],
)
def test_frame_grids(dataset: dict[str, Any], kind: str, grid_kind: str) -> None:
    model = {"kind": kind, "hidden": [4]} if kind == "mlp" else {"kind": kind}
    trainer = Trainer(TrainConfig(dataset=dataset, model=model, grid_resolution=30), LIMITS)
    trainer.step()
    grid = trainer.frame()["grid"]
    assert grid["kind"] == grid_kind and len(grid["values"]) == 30 and len(grid["values"][0]) == 30
    data = trainer.data.x
    assert grid["x1"][0] < float(data[:, 0].min()) and grid["x1"][1] > float(data[:, 0].max())
    if grid_kind == "probability":
        assert grid["scale"] == 1000
        assert all(isinstance(v, int) and 0 <= v <= 1000 for row in grid["values"] for v in row)
        features = trainer.predictor.inputs_to_features(
            torch.tensor([[grid["x1"][0], grid["x2"][1]]])
        )
        with torch.no_grad():
            p = torch.sigmoid(trainer.model(features))[0, 0] if kind == "mlp" else None
        if p is not None:  # the top-left cell's value is the model's own probability there
            assert grid["values"][-1][0] == round(float(p) * 1000)


def test_unknown_rows_of_the_table_are_predicted() -> None:
    trainer = Trainer(TrainConfig(dataset={"name": "table"}, model={"kind": "linear"}), LIMITS)
    trainer.step()
    assert len(trainer.frame()["unknown"]) == 3


def test_live_lr_and_batch_size() -> None:
    trainer = Trainer(TrainConfig(dataset=SPIRAL, model=MLP, batch_size=10), LIMITS)
    trainer.step()
    trainer.set_lr(0.5)
    assert trainer.step().record.lr == 0.5
    trainer.set_batch_size(None)
    while trainer.step().history is None:
        pass
    assert trainer.step().history is not None  # whole set: every update ends an epoch


# Seed 003's table: which output goes with which loss, and what the data allows.
MISMATCHES = [
    ("circle", {"kind": "linear"}, "bce", "loss_mismatch", "bce_with_logits"),
    ("circle", {"kind": "mlp", "hidden": [4], "output": "none"}, "bce", "loss_mismatch", "sigmoid"),
    (
        "circle",
        {"kind": "logistic", "output": "sigmoid"},
        "bce_with_logits",
        "loss_mismatch",
        "twice",
    ),
    (
        "blobs",
        {"kind": "mlp", "hidden": [4], "output": "softmax"},
        "cross_entropy",
        "loss_mismatch",
        "twice",
    ),
    (
        "blobs",
        {"kind": "mlp", "hidden": [4], "output": "none"},
        "nll",
        "loss_mismatch",
        "log_softmax",
    ),
    ("blobs", {"kind": "logistic"}, "bce", "loss_mismatch", "two classes"),
    ("sine", {"kind": "mlp", "hidden": [4]}, "cross_entropy", "loss_mismatch", "regression"),
    ("blobs", {"kind": "perceptron"}, "auto", "model_error", "two classes"),
    (
        "circle",
        {"kind": "mlp", "hidden": [4], "activation": "swish"},
        "auto",
        "model_error",
        "swish",
    ),
    ("circle", {"kind": "linear", "hidden": [4]}, "auto", "model_error", "mlp"),
    ("circle", {"kind": "mlp", "hidden": [4]}, "hinge", "loss_error", "hinge"),
]


@pytest.mark.parametrize(("dataset", "model", "loss", "type", "hint"), MISMATCHES)
def test_mismatches_explain_themselves(
    dataset: str, model: dict[str, Any], loss: str, type: str, hint: str
) -> None:
    with pytest.raises(UserError) as err:
        Trainer(TrainConfig(dataset={"name": dataset}, model=model, loss=loss), LIMITS)
    assert err.value.type == type and hint in err.value.message


MATCHES = [
    ("circle", {"kind": "logistic"}, "bce", "sigmoid"),
    ("circle", {"kind": "logistic"}, "bce_with_logits", "none"),
    ("circle", {"kind": "mlp", "hidden": [4]}, "bce", "sigmoid"),
    ("blobs", {"kind": "mlp", "hidden": [4]}, "nll", "log_softmax"),
    ("blobs", {"kind": "logistic"}, "cross_entropy", "none"),
    ("sine", {"kind": "mlp", "hidden": [4], "output": "tanh"}, "mse", "tanh"),
    ("gauss", {"kind": "perceptron"}, "auto", "none"),
]


@pytest.mark.parametrize(("dataset", "model", "loss", "output"), MATCHES)
def test_auto_output_fits_the_loss(
    dataset: str, model: dict[str, Any], loss: str, output: str
) -> None:
    trainer = Trainer(TrainConfig(dataset={"name": dataset}, model=model, loss=loss), LIMITS)
    assert trainer.spec.output == output
    assert math.isfinite(trainer.step().record.loss)


def test_init_values_and_their_errors() -> None:
    trainer = Trainer(
        TrainConfig(dataset=THERMOMETER, model={"kind": "linear", "init": {"w": 2, "b": -1}}),
        LIMITS,
    )
    assert trainer.named_params() == {"w": 2.0, "b": -1.0}
    mlp = {
        "kind": "mlp",
        "hidden": [2],
        "init": {"layer1.weight": [[1, 2], [3, 4]], "layer2.bias": 0.5},
    }
    trainer = Trainer(TrainConfig(dataset={"name": "xor"}, model=mlp), LIMITS)
    assert trainer.model.linears[0].weight.tolist() == [[1, 2], [3, 4]]
    with pytest.raises(UserError, match="no parameter"):
        Trainer(
            TrainConfig(dataset=THERMOMETER, model={"kind": "linear", "init": {"v": 1}}), LIMITS
        )
    with pytest.raises(UserError, match="shape"):
        Trainer(
            TrainConfig(dataset={"name": "xor"}, model={**mlp, "init": {"layer1.weight": [1, 2]}}),
            LIMITS,
        )
