"""Schemas of the training-run and dataset endpoints (every number says its unit or meaning)."""

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from app.train.features import FEATURE_OPS

if TYPE_CHECKING:
    FeatureOpName = str
else:  # the Literal of FEATURE_OPS's keys: a new op is accepted here without a second list
    FeatureOpName = Literal[tuple(FEATURE_OPS)]

from app.api.schemas.optimizers import LearningRate, Optimizer, OptimizerPatch, default_optimizer


class DatasetChoice(BaseModel):
    """A dataset of the catalogue by name, plus its options (see GET /api/v1/datasets)."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{"name": "spiral", "n_samples": 500}]}
    )

    name: str = Field(description="a dataset of the catalogue, e.g. spiral or thermometer")


class FeatureSpec(BaseModel):
    """A feature as an object: an op of the feature table applied to input column(s)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"op": "square", "of": "x1"},
                {"op": "product", "of": ["x1", "x2"]},
                {"op": "sin", "of": "temp (F)"},
            ]
        },
    )

    op: FeatureOpName = Field(
        description="; ".join(f"{name}: {op.doc}" for name, op in FEATURE_OPS.items())
    )
    of: str | list[str] = Field(
        description="the input column it reads (exact name), or a list for a two-column op"
    )


# A run's feature: a string (a column name, else a legacy spelling) or a FeatureSpec object;
# told apart by the JSON type, so a bad object's error speaks of the object's fields only.
FeatureValue = Annotated[
    Annotated[str, Tag("name")] | Annotated[FeatureSpec, Tag("object")],
    Discriminator(lambda v: "name" if isinstance(v, str) else "object"),
]


class FeatureOption(BaseModel):
    """One feature the page may offer: how it reads, and the value a run request gives for it."""

    label: str = Field(description="e.g. x1² or sin temp (F)")
    value: FeatureValue = Field(description="a column name, or a {op, of} object")


class ModelChoice(BaseModel):
    """The model: its kind, hidden layers, activations, output, dropout and starting values."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
                {"kind": "linear", "init": {"w": 1.0, "b": 0.0}},
            ]
        },
    )

    kind: Literal["linear", "perceptron", "logistic", "mlp"] = Field(description="model family")
    hidden: list[int] = Field(default_factory=list, description="units of each hidden layer")
    activation: str | list[str] = Field(
        "relu", description="one activation for all hidden layers, or one per layer"
    )
    output: str = Field(
        "auto",
        description="output activation: auto (fits the loss), none, sigmoid, tanh, "
        "softmax or log_softmax",
    )
    dropout: float = Field(0.0, ge=0, lt=1, description="probability of dropping a hidden unit")
    init: dict[str, Any] | None = Field(
        None, description="starting values: w and b for one layer, else layerN.weight/.bias"
    )


class Regularization(BaseModel):
    """A penalty on the weights added to the loss."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["none", "l1", "l2"] = Field("none", description="l1: rate·Σ|w|, l2: rate·Σw²")
    rate: float = Field(0.0, ge=0, description="the penalty's weight")


# The optimizer family of app/api/schemas/optimizers.py, shared with /graphs/optimize.
OptimizerChoice = Optimizer


class RunCreate(BaseModel):
    """Start a training run; every field but `dataset` and `model` has a default."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dataset": {"name": "spiral", "n_samples": 500, "noise": 0.1, "seed": 0},
                    "features": ["x1", "x2"],
                    "val_fraction": 0.2,
                    "normalize": False,
                    "model": {"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
                    "loss": "bce_with_logits",
                    "regularization": {"kind": "l2", "rate": 0.001},
                    "optimizer": {"name": "adam", "lr": 0.03},
                    "batch_size": 10,
                    "max_epochs": 1000,
                    "seed": 0,
                }
            ]
        },
    )

    dataset: DatasetChoice
    model: ModelChoice
    features: list[FeatureValue] | None = Field(
        None,
        description="the model's input columns: a column name (matched exactly first), a legacy "
        "spelling (x1^2, x1*x2, sin(x1)) or an object {op, of} (ops: "
        f"{', '.join(FEATURE_OPS)}); default: the dataset's inputs",
    )
    val_fraction: float = Field(0.2, ge=0, lt=1, description="share of rows held out")
    normalize: bool = Field(False, description="z-score features with the training split's stats")
    loss: str = Field("auto", description="mse, l1, bce, bce_with_logits, nll, cross_entropy")
    regularization: Regularization | None = Field(
        None, description="a penalty on the weights: {kind: l1 or l2, rate}"
    )
    optimizer: OptimizerChoice = Field(
        default_factory=default_optimizer,
        description="{name, lr, …} as in /graphs/optimize; default sgd at lr 0.01",
    )
    batch_size: int | None = Field(None, ge=1, description="rows per update; null = all")
    max_epochs: int = Field(1000, ge=1, description="the run finishes after this many epochs")
    seed: int = Field(
        0, ge=0, le=2**31 - 1, description="seeds the split, initialisation, batches, dropout"
    )
    target_loss: float | None = Field(None, description="finish once train loss ≤ this")
    grid_resolution: int = Field(50, ge=2, description="cells per side of frame grids")
    overfit_patience: int = Field(20, ge=1, description="epochs of rising val loss to flag")
    divergence_factor: float = Field(1e4, gt=1, description="loss × first loss that diverges")
    explode_factor: float = Field(
        10.0, gt=1, description="smoothed loss × its best (and above the start) that diverges"
    )
    frames_per_second: float = Field(
        10.0, ge=0.1, description="frames streamed per second (at least 0.1)"
    )
    steps_per_frame: int | None = Field(
        None, ge=1, description="updates between frames (a speed); null = as fast as possible"
    )
    start: bool = Field(True, description="start training at once (false: created paused)")


class RunPatch(BaseModel):
    """Live changes to a run (absent fields stay as they are)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"optimizer": {"lr": 0.01}}]}
    )

    optimizer: OptimizerPatch | None = None
    lr: LearningRate | None = Field(None, description="shorthand for optimizer.lr")
    batch_size: int | None = Field(
        None, ge=1, description="rows per update from the next epoch; null = all"
    )
    frames_per_second: float | None = Field(
        None, ge=0.1, description="frames per second (at least 0.1)"
    )
    steps_per_frame: int | None = Field(None, ge=1, description="updates per frame; null = max")


class StepRequest(BaseModel):
    """Updates to perform on a paused run."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(1, ge=1, le=10_000, description="number of updates")


class RunPublic(BaseModel):
    """A run's state."""

    id: str
    status: Literal["running", "paused", "finished", "diverged", "stopped", "failed"]
    reason: str | None = Field(description="why it paused, diverged, finished or was flagged")
    flags: list[str] = Field(description="notices such as overfitting")
    epoch: int = Field(description="epochs completed")
    step: int = Field(description="updates performed")
    metrics: dict[str, Any] = Field(description="the latest history entry, plus batch_loss")
    lr: float = Field(description="learning rate of the next update")
    batch_size: int = Field(description="rows per update")
    frames_per_second: float
    steps_per_frame: int | None
    train_seconds: float = Field(description="seconds spent training so far")
    last_event_id: int = Field(description="id of the newest event of the stream")
    resolved: dict[str, Any] = Field(description="choices made for 'auto' and the split sizes")
    config: dict[str, Any] = Field(description="the configuration the run was created with")


class HistoryPublic(BaseModel):
    """One entry per epoch: epoch, step, train_loss, val_loss, accuracies, grad_norm, lr."""

    steps: list[dict[str, Any]]


class DatasetPreview(BaseModel):
    """Ask for a dataset's points (to draw them before training)."""

    model_config = ConfigDict(extra="forbid")

    dataset: DatasetChoice
    val_fraction: float = Field(0.2, ge=0, lt=1, description="share of rows held out")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seed of the split")


class PointsPublic(BaseModel):
    """Points in the units of the data, split into training and validation rows."""

    input_names: list[str]
    target_names: list[str]
    task: Literal["regression", "classification"]
    n_classes: int
    features: list[str] = Field(description="every feature this dataset offers (legacy strings)")
    feature_options: list[FeatureOption] = Field(
        description="every feature this dataset offers, in the page's order: label and the "
        "value to send in a run's features"
    )
    train: dict[str, list[Any]] = Field(description="{x: rows of inputs, y: targets}")
    val: dict[str, list[Any]]
    unknown: list[list[float]] = Field(description="rows whose target is to be predicted")


# --- the event stream (documentation of GET /api/v1/runs/{id}/events) -------------------------


class LayerFrame(BaseModel):
    """One linear layer in a frame: matrices while the model is small, norms always."""

    name: str = Field(description="layer1, layer2, …; the last is the output layer")
    inputs: int = Field(description="units feeding the layer")
    units: int = Field(description="units of the layer")
    activation: str = Field(description="activation after the layer (the output one for the last)")
    weight_norm: float = Field(description="L2 norm of the weight matrix")
    grad_norm: float | None = Field(description="L2 norm of its gradient at the latest update")
    weight: list[list[float]] | None = Field(
        None, description="[units][inputs]: weight[j][i] joins input i to unit j"
    )
    bias: list[float] | None = Field(None, description="[units]")
    weight_grad: list[list[float]] | None = Field(None, description="like weight")
    bias_grad: list[float] | None = Field(None, description="like bias")


class GridFrame(BaseModel):
    """The model over the data's bounding box (two-input datasets)."""

    kind: Literal["probability", "class", "value"] = Field(
        description="P(class 1), the most likely class, or the regression value"
    )
    x1: list[float] = Field(description="[min, max] of the first input (columns, left to right)")
    x2: list[float] = Field(description="[min, max] of the second input (rows, first = min)")
    resolution: int = Field(description="cells per side")
    scale: int | None = Field(None, description="probabilities are integers: value / scale")
    values: list[list[float]] = Field(description="[row over x2][column over x1]")
    classes: int | None = Field(None, description="number of classes (kind class)")
    confidence: list[list[int]] | None = Field(
        None, description="probability of the predicted class / scale (kind class)"
    )


class LandscapeFrame(BaseModel):
    """Where the descent is on the loss landscape of a two-parameter model; the surface itself
    is GET /api/v1/runs/{id}/landscape (fetch it again when `version` changes)."""

    version: int = Field(description="the surface's version: starts at 1, changes on recompute")
    w: list[float] = Field(description="[min, max] of w (columns)")
    b: list[float] = Field(description="[min, max] of b (rows)")
    resolution: int
    path: list[list[float]] = Field(
        description="[w, b] from the start, one point per update (thinned to ≤ 1000 points)"
    )


class FrameEvent(BaseModel):
    """`event: frame`: a snapshot of the model for drawing (sent ~frames_per_second while read)."""

    epoch: int = Field(description="epochs completed")
    step: int = Field(description="updates performed")
    loss: float | None = Field(description="the latest batch loss (before its update)")
    grad_norm: float | None = Field(description="gradient norm of the latest update")
    lr: float
    batch_size: int
    layers: list[LayerFrame]
    grid: GridFrame | None = Field(None, description="two-input datasets")
    curve: dict[str, list[float]] | None = Field(
        None, description="one-input datasets: {x: [200 inputs], y: [the model's outputs]}"
    )
    landscape: LandscapeFrame | None = Field(None, description="two-parameter models")
    params: dict[str, float] | None = Field(None, description="{w, b} of a two-parameter model")
    unknown: list[Any] | None = Field(None, description="predictions for the '?' rows")


class StatusEvent(BaseModel):
    """`event: status`: the run's status changed, or a notice (flags) was raised."""

    status: Literal["running", "paused", "finished", "diverged", "stopped", "failed"]
    reason: str | None = Field(description="why, in a sentence")
    flags: list[str] = Field(description="notices so far, e.g. overfitting")


class StepEvent(BaseModel):
    """`event: step`: one history entry (one per epoch)."""

    epoch: int
    step: int = Field(description="updates performed by the end of this epoch")
    train_loss: float = Field(description="mean of the batch losses before each update")
    val_loss: float | None = Field(description="on the validation rows at the epoch's end")
    train_accuracy: float | None = Field(description="classification, at the epoch's end")
    val_accuracy: float | None
    grad_norm: float | None = Field(description="gradient norm of the epoch's last update")
    lr: float
    params: dict[str, float] | None = Field(None, description="{w, b}, two-parameter models")


class LandscapeSurface(BaseModel):
    """GET /runs/{id}/landscape: the training objective over (w, b) of a two-parameter model,
    the surface that frames' `landscape` (version, box, path) refers to."""

    version: int = Field(description="starts at 1; changes only when the surface is recomputed")
    w: list[float] = Field(description="[min, max] of w (columns)")
    b: list[float] = Field(description="[min, max] of b (rows)")
    resolution: int = Field(description="cells per side")
    loss: list[list[float]] = Field(
        description="[row over b][column over w]: data loss + regularization, 4 decimals"
    )
