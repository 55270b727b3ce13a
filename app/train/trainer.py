"""The trainer: one object per run that keeps the model and its optimizer and performs updates.

One update is the textbook PyTorch loop on one batch: forward, loss, `zero_grad`, `backward`,
`optimizer.step()`. The pieces around it have a module each: `config` (the run's settings,
checked), `prepare` (dataset → model-ready split), `sampler` (which rows each update sees),
`monitors` (divergence, overfitting, when to stop), `predictor` (the model read in eval mode),
`frames` and `landscape` (what the pages draw). A plain loop written with the same pieces and
seed gives the same losses step for step.
"""

from collections.abc import Iterator
from typing import Any

import torch

from app.errors import ErrorType, UserError
from app.graph.optimizers import MAX_LR
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train import frames
from app.train.config import (
    TrainConfig,
    batch_size_within,
    check_limits,
    regularization_of,
    resolve_loss_and_model,
)
from app.train.landscape import DescentPath, LossLandscape, loss_surface
from app.train.losses import LOSSES, regularization
from app.train.models import Network, build_model
from app.train.monitors import DivergenceMonitor, EpochStop, OverfittingMonitor, StepCap
from app.train.optimizers import build_optimizer, set_lr
from app.train.predictor import Predictor
from app.train.prepare import prepare_data
from app.train.records import HistoryEntry, StepOutcome, StepRecord
from app.train.sampler import BatchSampler

__all__ = ["StepOutcome", "StepRecord", "TrainConfig", "Trainer"]


class Trainer:
    """A model, its data and its optimizer; `step()` performs one update."""

    def __init__(self, config: TrainConfig, limits: TrainLimits) -> None:
        self.config, self.limits = config, limits
        check_limits(config, limits)  # before any of the work the limits bound
        options = {k: v for k, v in config.dataset.items() if k != "name"}
        self.data = data = ds.make_dataset(str(config.dataset.get("name")), options, limits)
        self.loss_name, self.spec = resolve_loss_and_model(config, data, limits)
        self.prepared = prepared = prepare_data(
            data,
            features=config.features,
            val_fraction=config.val_fraction,
            normalize=config.normalize,
            seed=config.seed,
            loss=self.loss_name,
            limits=limits,
        )
        self.features = prepared.features
        self.train_idx, self.val_idx = prepared.train_idx, prepared.val_idx
        self.x_train, self.y_train = prepared.x_train, prepared.y_train
        self.x_val, self.y_val = prepared.x_val, prepared.y_val
        self.n_train = prepared.n_train
        self.model: Network = build_model(
            self.spec,
            n_inputs=len(self.features),
            n_outputs=prepared.n_outputs,
            seed=config.seed,
            limits=limits,
            init=config.model.get("init"),
        )
        self.parameters = list(self.model.parameters())
        self.optimizer = build_optimizer(self.parameters, config.optimizer)
        self.loss_fn = LOSSES[self.loss_name].fn
        self.reg_kind, self.reg_rate = regularization_of(config)
        self.sampler = BatchSampler(
            self.x_train,
            self.y_train,
            batch_size=batch_size_within(config.batch_size, n_train=self.n_train),
            seed=config.seed,
        )
        self.max_steps = limits.max_steps
        self.predictor = Predictor(
            model=self.model,
            spec=self.spec,
            loss_name=self.loss_name,
            loss_fn=self.loss_fn,
            data=data,
            prepared=prepared,
            grid_resolution=config.grid_resolution,
        )
        self.divergence = DivergenceMonitor(
            factor=config.divergence_factor, explode_factor=config.explode_factor
        )
        self.overfitting = OverfittingMonitor(patience=config.overfit_patience)
        self.epoch_stop = EpochStop(target_loss=config.target_loss, max_epochs=config.max_epochs)
        self.step_cap = StepCap(max_steps=self.max_steps)
        model = self.model
        layout = (tuple(model.sizes), tuple(model.activation_names), model.output_name)
        shared = (*layout, self.loss_name, self.reg_kind)
        self._signature = None if model.dropout is not None else shared
        self.epoch = 0  # epochs completed
        self.step_count = 0  # updates performed
        self._epoch_losses: list[float] = []  # batch losses of the epoch so far
        self.last: StepRecord | None = None
        self.last_history: HistoryEntry | None = None
        self.two_params = len(model.layers) == 1 and model.linears[0].weight.numel() == 1
        self.descent = DescentPath(limits.max_path_points)
        self.landscape: LossLandscape | None = None
        if self.two_params:
            self._record_path()
            self.landscape = LossLandscape(
                resolution=config.grid_resolution,
                start=self.descent.points[0],
                x=self.x_train[:, 0],
                y=self.y_train,
                objective=self.loss_surface,
            )

    # --- live changes --------------------------------------------------------------------

    @property
    def lr(self) -> float:
        """The learning rate the next update uses."""
        return float(self.optimizer.param_groups[0]["lr"])

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next update on."""
        if not (lr > 0 and lr <= MAX_LR):
            raise UserError(
                "lr must be a positive number (at most 1e6)", ErrorType.INVALID_OPTIMIZER
            )
        set_lr(self.optimizer, lr)

    @property
    def batch_size(self) -> int:
        """Rows per update (from the next epoch on, when just changed)."""
        return self.sampler.batch_size

    def set_batch_size(self, batch_size: int | None) -> None:
        """Change the batch size; it takes effect at the start of the next epoch."""
        self.sampler.batch_size = batch_size_within(batch_size, n_train=self.n_train)

    def reset_divergence_watch(self) -> None:
        """Measure blow-ups from the current loss on (after a resume)."""
        self.divergence.reset()

    # --- training ------------------------------------------------------------------------

    @property
    def weights(self) -> list[torch.Tensor]:
        """The weight matrices (what regularization penalises)."""
        return [layer.weight for layer in self.model.linears]

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The rows of the next update (advances through the epoch's shuffled order)."""
        return self.sampler.next()

    @property
    def last_batch(self) -> tuple[torch.Tensor, torch.Tensor] | None:
        """The rows of the latest update (None before the first)."""
        return self.sampler.last

    def step(self) -> StepOutcome:
        """One update on the next batch; ends the epoch (with its history entry) when due."""
        x, y = self.next_batch()
        return self.update_on(x, y)

    def steps(self) -> Iterator[StepOutcome]:
        """Updates until the run diverges or finishes."""
        while True:
            outcome = self.step()
            yield outcome
            if outcome.diverged or outcome.finished:
                return

    def update_on(self, x: torch.Tensor, y: torch.Tensor) -> StepOutcome:
        """The textbook update on the batch (x, y): forward, loss, backward, optimizer step."""
        model = self.model
        if model.dropout is not None and not model.training:
            model.train()
        loss = self.loss_fn(model(x), y)
        objective = loss + self.penalty() if self.reg_rate else loss
        self.optimizer.zero_grad()
        objective.backward()
        return self.after_backward(loss.item())

    def penalty(self) -> torch.Tensor:
        """The regularization term added to the loss."""
        return regularization(kind=self.reg_kind, rate=self.reg_rate, weights=self.weights)

    def after_backward(self, loss_value: float) -> StepOutcome:
        """With the gradients in place: check for divergence, step the optimizer, keep books."""
        record, reason = self.before_update(loss_value)
        if reason:
            return StepOutcome(record, diverged=reason)
        self.optimizer.step()
        return self.after_update(record)

    def before_update(self, loss_value: float) -> tuple[StepRecord, str | None]:
        """Count the update and check the loss; a reason means: do not update, it diverged."""
        self.step_count += 1
        record = StepRecord(epoch=self.epoch + 1, step=self.step_count, loss=loss_value, lr=self.lr)
        self.last = record
        return record, self.divergence.observe(record)

    def after_update(self, record: StepRecord) -> StepOutcome:
        """Book-keeping after the optimizer stepped: epoch end, flags, stop conditions."""
        self._epoch_losses.append(record.loss)
        if self.two_params:
            self._record_path()
        outcome = StepOutcome(record)
        if self.sampler.epoch_done:
            outcome.history = self._end_epoch(record)
            outcome.diverged = self.divergence.observe_epoch(outcome.history)
            outcome.overfitting = self.overfitting.observe(outcome.history)
            outcome.finished = self.epoch_stop.observe(outcome.history)
        outcome.finished = outcome.finished or self.step_cap.observe(record)
        return outcome

    @property
    def signature(self) -> tuple[Any, ...] | None:
        """Runs with equal signatures can share one batched forward and backward pass
        (None: this one cannot, because dropout draws per run)."""
        return self._signature

    def grad_norm(self) -> float | None:
        """L2 norm of all parameter gradients of the latest update (computed on demand)."""
        grads = [p.grad for p in self.model.parameters() if p.grad is not None]
        return float(torch.nn.utils.get_total_norm(grads)) if grads else None

    def _end_epoch(self, record: StepRecord) -> HistoryEntry:
        self.epoch += 1
        val_loss, val_accuracy = self.predictor.evaluate(self.x_val, self.y_val)
        _, train_accuracy = self.predictor.evaluate(self.x_train, self.y_train)
        entry: HistoryEntry = {
            "epoch": self.epoch,
            "step": self.step_count,
            "train_loss": sum(self._epoch_losses) / len(self._epoch_losses),
            "val_loss": val_loss,
            "train_accuracy": train_accuracy,  # of the model at the epoch's end
            "val_accuracy": val_accuracy,
            "grad_norm": self.grad_norm(),  # of the epoch's last update
            "lr": record.lr,
        }
        if self.two_params:
            entry["params"] = self.named_params()
        self._epoch_losses = []
        self.last_history = entry
        return entry

    # --- what the page draws -------------------------------------------------------------

    def named_params(self) -> dict[str, float]:
        """w and b of a two-parameter model."""
        layer = self.model.linears[0]
        return {"w": layer.weight.item(), "b": layer.bias.item()}

    def _record_path(self) -> None:
        p = self.named_params()
        self.descent.record(self.step_count, p["w"], p["b"])

    def frame(self) -> dict[str, Any]:
        """A snapshot for the page: weights and gradients per layer, grids, the descent path."""
        last = self.last
        n_params = sum(p.numel() for p in self.parameters)
        out: dict[str, Any] = {
            "epoch": self.epoch,
            "step": self.step_count,
            "loss": last.loss if last else None,
            "grad_norm": self.grad_norm(),
            "lr": self.lr,
            "batch_size": self.batch_size,
            "layers": frames.layer_frames(
                self.model.linears,
                [*self.model.activation_names, self.spec.output],
                full=n_params <= self.limits.max_frame_weights,
            ),
        }
        if self.data.x.shape[1] == 2:
            out["grid"] = self.predictor.grid()
        elif self.data.x.shape[1] == 1:
            out["curve"] = self.predictor.curve()
        if self.landscape is not None:
            out["landscape"] = frames.landscape_frame(self.landscape.box(), self.descent.points)
            out["params"] = self.named_params()
        if self.data.unknown_x is not None:
            out["unknown"] = self.predictor.predict(self.data.unknown_x)
        return out

    def loss_surface(self, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The training objective at every (w[j], b[i]), shape [len(b), len(w)]."""
        return loss_surface(
            w,
            b,
            x=self.x_train[:, 0],
            y=self.y_train,
            output=self.model.output,
            loss_fn=self.loss_fn,
            reg_kind=self.reg_kind,
            reg_rate=self.reg_rate,
        )

    def landscape_surface(self) -> dict[str, Any]:
        """{version, w, b, resolution, loss}: the surface frames' landscapes refer to."""
        if self.landscape is None:
            raise UserError(
                f"this run's model has {sum(p.numel() for p in self.parameters)} parameters; "
                "a loss landscape is drawn only for a two-parameter model (w, b): "
                "a linear model on one input",
                ErrorType.RUN_STATE,
            )
        return self.landscape.surface()
