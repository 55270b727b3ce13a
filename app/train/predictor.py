"""What a run's model says, in eval mode: loss and accuracy on rows, the decision grid, the fitted
curve and predictions for raw input rows (the frame builders turn them into lists)."""

from collections.abc import Callable
from typing import Any

import torch

from app.train import frames
from app.train.losses import probabilities
from app.train.models import ModelSpec, Network
from app.train.prepare import PreparedData, Rows, model_inputs


class Predictor:
    """Reads the model of one run over its data (never changes the parameters)."""

    def __init__(
        self,
        *,
        model: Network,
        spec: ModelSpec,
        loss_name: str,
        loss_fn: Callable[..., torch.Tensor],
        data: Rows,
        prepared: PreparedData,
        grid_resolution: int,
    ) -> None:
        self.model, self.spec = model, spec
        self.loss_name, self.loss_fn = loss_name, loss_fn
        self.data, self.prepared = data, prepared
        self.classification = data.task == "classification"
        self.grid_resolution = grid_resolution  # cells per side of the decision grid
        self._grid_cache: tuple[dict[str, Any], torch.Tensor] | None = None

    def _eval_mode(self) -> None:
        # Only dropout behaves differently in eval mode; switching walks every module, so a
        # model without dropout skips it (frames and epoch ends are frequent).
        if self.model.dropout is not None:
            self.model.train(False)  # eval mode

    def inputs_to_features(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw input rows as the model's normalized features."""
        return model_inputs(self.data, self.prepared, raw)

    def probabilities(self, out: torch.Tensor) -> torch.Tensor:
        """P(class 1) [n] or class probabilities [n, k] from the model's output."""
        spec = self.spec
        return probabilities(out, loss=self.loss_name, output=spec.output, kind=spec.kind)

    def _correct(self, out: torch.Tensor, target: torch.Tensor) -> int:
        p = self.probabilities(out)
        label = p.argmax(1) if p.dim() == 2 else (p > 0.5).long()
        truth = (
            target
            if target.dim() == 1
            else (target[:, 0].long() if target.shape[1] == 1 else target.argmax(1))
        )
        return int((label == truth).sum())

    @torch.no_grad()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float | None, float | None]:
        """Data loss and accuracy (classification) of the model on (x, y)."""
        if len(x) == 0:
            return None, None
        self._eval_mode()
        out = self.model(x)
        loss = float(self.loss_fn(out, y))
        accuracy = self._correct(out, y) / len(y) if self.classification else None
        return loss, accuracy

    @torch.no_grad()
    def predicted(self, features: torch.Tensor) -> torch.Tensor:
        """The model's output on feature rows, as probabilities for classification."""
        self._eval_mode()
        out = self.model(features)
        return self.probabilities(out) if self.classification else out

    def grid(self) -> dict[str, Any]:
        """The model over the data's bounding box: P(class 1) or the class, or the value."""
        if self._grid_cache is None:  # the grid's inputs are fixed for a run
            axes = frames.grid_axes(self.data.x, self.grid_resolution)
            self._grid_cache = (axes, self.inputs_to_features(frames.grid_points(axes)))
        axes, features = self._grid_cache
        predicted = self.predicted(features)
        if not self.classification:
            return frames.value_grid(axes, predicted[:, 0])
        return frames.probability_grid(axes, predicted)

    def curve(self, points: int = 200) -> dict[str, Any]:
        """The fitted function of a one-input model over the data's range."""
        lo, hi = frames.axis_range(self.data.x[:, 0])
        x = torch.linspace(lo, hi, points).unsqueeze(1)
        out = self.predicted(self.inputs_to_features(x))
        out = out if out.dim() == 2 else out.unsqueeze(1)
        return frames.curve_frame(x[:, 0], out[:, 0])

    def predict(self, raw: torch.Tensor) -> list[Any]:
        """Predictions for rows of raw inputs (the dataset's unknown rows)."""
        return frames.predictions(self.predicted(self.inputs_to_features(raw)))
