"""The event stream of GET /api/v1/runs/{id}/events (its documentation) and the loss surface of
GET /api/v1/runs/{id}/landscape."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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

    model_config = ConfigDict(ser_json_inf_nan="strings")  # "NaN", "Infinity": strict JSON

    version: int = Field(description="starts at 1; changes only when the surface is recomputed")
    w: list[float] = Field(description="[min, max] of w (columns)")
    b: list[float] = Field(description="[min, max] of b (rows)")
    resolution: int = Field(description="cells per side")
    loss: list[list[float]] = Field(
        description="[row over b][column over w]: data loss + regularization, 4 decimals"
    )
