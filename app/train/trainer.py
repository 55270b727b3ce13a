"""The trainer: one object per run that performs updates and describes the model; no I/O.

One update is the textbook PyTorch loop on one batch: forward, loss, `zero_grad`, `backward`,
`optimizer.step()`. Batches follow `torch.randperm(n_train, generator=Generator(seed))` drawn
afresh each epoch (the whole training set in its stored order when one batch holds it all), so a
plain loop written with the same pieces and seed gives the same losses step for step.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from app.errors import ErrorType, UserError
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train.losses import (
    LOSSES,
    REGULARIZERS,
    check_loss,
    output_width,
    prepare_targets,
    probabilities,
    regularization,
)
from app.train.models import Network, build_model, resolve_model
from app.train.optimizers import build_optimizer, set_lr


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run (the body of POST /api/v1/runs, resolved)."""

    dataset: dict[str, Any]  # {"name": ..., plus that dataset's options}
    model: dict[str, Any]  # {"kind", "hidden", "activation", "output", "dropout", "init"}
    features: ds.Features | None = None  # column names, legacy strings, {op, of}; None = inputs
    val_fraction: float = 0.2  # share of rows held out for validation
    normalize: bool = False  # z-score each feature with the training split's mean and std
    loss: str = "auto"  # auto: mse (regression), bce_with_logits (2 classes), cross_entropy
    regularization: dict[str, Any] | None = None  # {"kind": "l1"|"l2", "rate": float}
    optimizer: dict[str, Any] = field(default_factory=lambda: {"name": "sgd", "lr": 0.01})
    batch_size: int | None = None  # None = the whole training set (plain gradient descent)
    max_epochs: int = 1000  # the run finishes after this many epochs
    seed: int = 0  # seeds initialisation, batch order and dropout
    target_loss: float | None = None  # finish once an epoch's train loss is at most this
    grid_resolution: int = 50  # cells per side of the decision-boundary / landscape grids
    overfit_patience: int = 20  # epochs of rising val loss (train loss falling) to flag it
    divergence_factor: float = 1e4  # a loss this many times the first one counts as diverged
    explode_factor: float = 10.0  # so does a smoothed loss this many times its best, above start


@dataclass
class StepRecord:
    """One update: the batch loss computed before it, the gradient norm, where we are."""

    epoch: int  # 1-based epoch this update belongs to
    step: int  # 1-based count of updates so far
    loss: float  # data loss of the batch before the update (regularization excluded)
    lr: float


@dataclass
class StepOutcome:
    """What one call of `Trainer.step` produced."""

    record: StepRecord
    history: dict[str, Any] | None = None  # the epoch's history entry, when this step ended one
    diverged: str | None = None  # why the run must stop, when the loss blew up
    finished: str | None = None  # why the run is complete (epoch cap, target loss)
    overfitting: str | None = None  # set once when validation loss starts rising


def _finite(value: float) -> bool:
    return math.isfinite(value)


def _rounded(t: torch.Tensor, decimals: int = 4) -> list[Any]:
    out: list[Any] = torch.round(t.double(), decimals=decimals).tolist()
    return out


def _permille(t: torch.Tensor) -> list[Any]:
    out: list[Any] = (t * 1000).round().int().tolist()
    return out


def default_loss(task: str, n_classes: int, kind: str) -> str:
    """The loss of seed 003's table for the task."""
    if task == "regression":
        return "mse"
    if kind == "perceptron" or n_classes == 2:
        return "bce_with_logits"
    return "cross_entropy"


class Trainer:
    """A model, its data and its optimizer; `step()` performs one update."""

    def __init__(self, config: TrainConfig, limits: TrainLimits) -> None:
        self.config = config
        self.limits = limits
        options = {k: v for k, v in config.dataset.items() if k != "name"}
        self.data = ds.make_dataset(str(config.dataset.get("name")), options, limits)
        data = self.data
        kind = str(config.model.get("kind"))
        self.loss_name = (
            default_loss(data.task, data.n_classes, kind) if config.loss == "auto" else config.loss
        )
        if self.loss_name not in LOSSES:
            raise UserError(
                f"unknown loss {self.loss_name!r}; choose auto or one of {', '.join(LOSSES)}",
                ErrorType.LOSS_ERROR,
            )
        self.spec = resolve_model(config.model, loss=self.loss_name, limits=limits)
        check_loss(
            loss=self.loss_name,
            output=self.spec.output,
            task=data.task,
            n_classes=data.n_classes,
            kind=kind,
        )
        self.features = list(config.features or data.input_names)
        features = ds.compute_features(data.x, data.input_names, self.features, limits=limits)
        train_idx, val_idx = ds.split_indices(
            n=len(features), val_fraction=config.val_fraction, seed=config.seed
        )
        self.train_idx, self.val_idx = train_idx, val_idx
        self.norm = ds.fit_normalization(features[train_idx], enabled=config.normalize)
        targets = prepare_targets(
            data.y, loss=self.loss_name, task=data.task, n_classes=data.n_classes
        )
        self.x_train = self.norm.apply(features[train_idx])
        self.y_train = targets[train_idx]
        self.x_val = self.norm.apply(features[val_idx])
        self.y_val = targets[val_idx]
        self.n_train = len(train_idx)
        n_out = output_width(
            loss=self.loss_name,
            task=data.task,
            n_classes=data.n_classes,
            n_targets=data.y.shape[1] if data.y.dim() == 2 else 1,
        )
        self.model: Network = build_model(
            self.spec,
            n_inputs=len(self.features),
            n_outputs=n_out,
            seed=config.seed,
            limits=limits,
            init=config.model.get("init"),
        )
        self.parameters = list(self.model.parameters())
        self.optimizer = build_optimizer(self.parameters, config.optimizer)
        self.loss_fn = LOSSES[self.loss_name].fn
        reg = config.regularization or {"kind": "none", "rate": 0.0}
        self.reg_kind = str(reg.get("kind", "none"))
        self.reg_rate = float(reg.get("rate", 0.0))
        if self.reg_kind not in REGULARIZERS:
            raise UserError(
                f"unknown regularization {self.reg_kind!r}; "
                f"choose one of {', '.join(REGULARIZERS)}",
                ErrorType.LOSS_ERROR,
            )
        self.batch_size = self._check_batch_size(config.batch_size)
        self.max_steps = self.limits.max_steps
        if not 1 <= config.max_epochs <= self.limits.max_epochs:
            raise UserError(
                f"max_epochs must be 1 to {self.limits.max_epochs}", ErrorType.LIMIT_EXCEEDED
            )
        if not 2 <= config.grid_resolution <= self.limits.max_grid_resolution:
            raise UserError(
                f"grid_resolution must be 2 to {self.limits.max_grid_resolution}",
                ErrorType.LIMIT_EXCEEDED,
            )
        self.batch_generator = torch.Generator().manual_seed(config.seed)
        model = self.model
        self._signature = (
            None
            if model.dropout is not None
            else (
                tuple(model.sizes),
                tuple(model.activation_names),
                model.output_name,
                self.loss_name,
                self.reg_kind,
            )
        )
        self.epoch = 0  # epochs completed
        self.step_count = 0
        self._order: torch.Tensor | None = None
        self._last_batch: tuple[torch.Tensor, torch.Tensor] | None = None
        self._position = 0
        self._epoch_losses: list[float] = []
        self.first_loss: float | None = None
        self._smoothed = self._best_smoothed = math.inf
        self.last: StepRecord | None = None
        self.last_history: dict[str, Any] | None = None
        self._best_val = math.inf
        self._train_at_best = math.inf
        self._rising = 0
        self._overfit_flagged = False
        self.two_params = len(self.model.layers) == 1 and self.model.linears[0].weight.numel() == 1
        self.path: list[list[float]] = []
        self._path_stride = 1
        self._landscape: dict[str, Any] | None = None
        self._grid_cache: tuple[dict[str, Any], torch.Tensor] | None = None
        if self.two_params:
            self._record_path()

    # --- live changes --------------------------------------------------------------------

    def _check_batch_size(self, batch_size: int | None) -> int:
        if batch_size is None:
            return self.n_train
        if batch_size < 1:
            raise UserError(
                "batch_size must be at least 1 (or null for the whole set)",
                ErrorType.LIMIT_EXCEEDED,
            )
        return min(batch_size, self.n_train)

    @property
    def lr(self) -> float:
        """The learning rate the next update uses."""
        return float(self.optimizer.param_groups[0]["lr"])

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next update on."""
        if not (lr > 0 and lr <= 1e6):
            raise UserError(
                "lr must be a positive number (at most 1e6)", ErrorType.INVALID_OPTIMIZER
            )
        set_lr(self.optimizer, lr)

    def set_batch_size(self, batch_size: int | None) -> None:
        """Change the batch size; it takes effect at the start of the next epoch."""
        self.batch_size = self._check_batch_size(batch_size)

    # --- training ------------------------------------------------------------------------

    @property
    def weights(self) -> list[torch.Tensor]:
        """The weight matrices (what regularization penalises)."""
        return [layer.weight for layer in self.model.linears]

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The rows of the next update (advances through the epoch's shuffled order)."""
        self._last_batch = self._draw_batch()
        return self._last_batch

    def _draw_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._order is None or self._position >= self.n_train:
            self._batch_size_this_epoch = self.batch_size
            if self.batch_size >= self.n_train:
                self._order = None
                self._position = self.n_train
                return self.x_train, self.y_train
            self._order = torch.randperm(self.n_train, generator=self.batch_generator)
            self._position = 0
        assert self._order is not None
        index = self._order[self._position : self._position + self._batch_size_this_epoch]
        self._position += self._batch_size_this_epoch
        return self.x_train[index], self.y_train[index]

    def _epoch_done(self) -> bool:
        return self._position >= self.n_train

    def _correct(self, out: torch.Tensor, target: torch.Tensor) -> int:
        if self.data.task != "classification":
            return 0
        p = probabilities(out, loss=self.loss_name, output=self.spec.output, kind=self.spec.kind)
        label = p.argmax(1) if p.dim() == 2 else (p > 0.5).long()
        truth = (
            target
            if target.dim() == 1
            else (target[:, 0].long() if target.shape[1] == 1 else target.argmax(1))
        )
        return int((label == truth).sum())

    def step(self) -> StepOutcome:
        """One update on the next batch; ends the epoch (with its history entry) when due."""
        x, y = self.next_batch()
        return self.update_on(x, y)

    def update_on(self, x: torch.Tensor, y: torch.Tensor) -> StepOutcome:
        """The textbook update on the batch (x, y): forward, loss, backward, optimizer step."""
        model = self.model
        if model.dropout is not None and not model.training:
            model.train()
        out = model(x)
        loss = self.loss_fn(out, y)
        objective = loss
        if self.reg_rate:
            objective = loss + self.penalty()
        self.optimizer.zero_grad()
        objective.backward()
        return self.after_backward(loss.item())

    def penalty(self) -> torch.Tensor:
        """The regularization term added to the loss."""
        return regularization(kind=self.reg_kind, rate=self.reg_rate, weights=self.weights)

    @property
    def last_batch(self) -> tuple[torch.Tensor, torch.Tensor] | None:
        """The rows of the latest update (None before the first)."""
        return self._last_batch

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
        if self.first_loss is None:
            self.first_loss = loss_value
        return record, self._divergence(loss_value)

    def after_update(self, record: StepRecord) -> StepOutcome:
        """Book-keeping after the optimizer stepped: epoch end, flags, stop conditions."""
        loss_value = record.loss
        self._epoch_losses.append(loss_value)
        if self.two_params:
            self._record_path()
        outcome = StepOutcome(record)
        if self._epoch_done():
            outcome.history = self._end_epoch(record)
            outcome.overfitting = self._watch_overfitting(outcome.history)
            outcome.finished = self._finished(outcome.history)
        elif self.step_count >= self.max_steps:
            outcome.finished = f"reached the cap of {self.max_steps} steps"
        return outcome

    @property
    def signature(self) -> tuple[Any, ...] | None:
        """Runs with equal signatures can share one batched forward and backward pass
        (None: this one cannot, because dropout draws per run)."""
        return self._signature

    def _eval_mode(self) -> None:
        # Only dropout behaves differently in eval mode; switching walks every module, so a
        # model without dropout skips it (frames and epoch ends are frequent).
        if self.model.dropout is not None:
            self.model.train(False)  # eval mode

    def grad_norm(self) -> float | None:
        """L2 norm of all parameter gradients of the latest update (computed on demand)."""
        grads = [p.grad for p in self.model.parameters() if p.grad is not None]
        return float(torch.nn.utils.get_total_norm(grads)) if grads else None

    def steps(self) -> Iterator[StepOutcome]:
        """Updates until the run diverges or finishes."""
        while True:
            outcome = self.step()
            yield outcome
            if outcome.diverged or outcome.finished:
                return

    def reset_divergence_watch(self) -> None:
        """Measure blow-ups from the current loss on (after a resume)."""
        self.first_loss = None
        self._smoothed = self._best_smoothed = math.inf

    def _divergence(self, loss: float) -> str | None:
        if not _finite(loss):
            return (
                f"the loss became {loss} at step {self.step_count}: the updates overshot "
                f"(learning rate {self.lr:g})"
            )
        first = self.first_loss if self.first_loss is not None else loss
        limit = self.config.divergence_factor * max(first, 1e-12)
        if self.step_count > 1 and loss > limit:
            return (
                f"the loss grew from {first:.4g} to {loss:.4g} by step {self.step_count} "
                f"(over {self.config.divergence_factor:g}×): the learning rate "
                f"{self.lr:g} is too large for these inputs"
            )
        # A sustained rise: the smoothed batch loss far above its best and above the start.
        smooth = loss if not _finite(self._smoothed) else 0.9 * self._smoothed + 0.1 * loss
        self._smoothed = smooth
        self._best_smoothed = min(self._best_smoothed, smooth)
        if smooth > self.config.explode_factor * self._best_smoothed and smooth > first:
            return (
                f"the loss rose to {smooth:.4g} (smoothed), over "
                f"{self.config.explode_factor:g}× the best it had reached "
                f"({self._best_smoothed:.4g}) and above where it started ({first:.4g}): "
                f"the learning rate {self.lr:g} is too large"
            )
        return None

    @torch.no_grad()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float | None, float | None]:
        """Data loss and accuracy (classification) of the model on (x, y), in eval mode."""
        if len(x) == 0:
            return None, None
        self._eval_mode()
        out = self.model(x)
        loss = float(self.loss_fn(out, y))
        accuracy = self._correct(out, y) / len(y) if self.data.task == "classification" else None
        return loss, accuracy

    def _end_epoch(self, record: StepRecord) -> dict[str, Any]:
        self.epoch += 1
        val_loss, val_accuracy = self.evaluate(self.x_val, self.y_val)
        _, train_accuracy = self.evaluate(self.x_train, self.y_train)
        entry: dict[str, Any] = {
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

    def _watch_overfitting(self, entry: dict[str, Any]) -> str | None:
        val = entry["val_loss"]
        if val is None or not _finite(val):
            return None
        if val < self._best_val:
            self._best_val, self._train_at_best, self._rising = val, entry["train_loss"], 0
            return None
        self._rising += 1
        falling = entry["train_loss"] < self._train_at_best
        if self._rising >= self.config.overfit_patience and falling and not self._overfit_flagged:
            self._overfit_flagged = True
            return (
                f"overfitting: validation loss has not improved on {self._best_val:.4g} for "
                f"{self._rising} epochs while training loss fell to {entry['train_loss']:.4g} "
                f"(epoch {entry['epoch']})"
            )
        return None

    def _finished(self, entry: dict[str, Any]) -> str | None:
        target = self.config.target_loss
        if target is not None and entry["train_loss"] <= target:
            return f"train loss {entry['train_loss']:.4g} reached the target {target:g}"
        if self.epoch >= self.config.max_epochs:
            return f"completed {self.config.max_epochs} epochs"
        if self.step_count >= self.max_steps:
            return f"reached the cap of {self.max_steps} steps"
        return None

    # --- what the page draws -------------------------------------------------------------

    def named_params(self) -> dict[str, float]:
        """w and b of a two-parameter model."""
        layer = self.model.linears[0]
        return {"w": layer.weight.item(), "b": layer.bias.item()}

    def _record_path(self) -> None:
        p = self.named_params()
        if self.step_count % self._path_stride:
            return
        self.path.append([p["w"], p["b"]])
        if len(self.path) > self.limits.max_path_points:
            # Keep every other point (the first one stays) and sample half as often from now on.
            self.path = self.path[::2]
            self._path_stride *= 2

    def frame(self) -> dict[str, Any]:
        """A snapshot for the page: weights and gradients per layer, grids, the descent path."""
        last = self.last
        out: dict[str, Any] = {
            "epoch": self.epoch,
            "step": self.step_count,
            "loss": last.loss if last else None,
            "grad_norm": self.grad_norm(),
            "lr": self.lr,
            "batch_size": self.batch_size,
            "layers": self.layers(),
        }
        if self.data.x.shape[1] == 2:
            out["grid"] = self.grid()
        elif self.data.x.shape[1] == 1:
            out["curve"] = self.curve()
        if self.two_params:
            out["landscape"] = self.landscape()
            out["params"] = self.named_params()
        if self.data.unknown_x is not None:
            out["unknown"] = self.predict(self.data.unknown_x)
        return out

    def layers(self) -> list[dict[str, Any]]:
        """Each linear layer's weights [out][in], biases and gradients (summaries when large)."""
        n_params = sum(p.numel() for p in self.model.parameters())
        full = n_params <= self.limits.max_frame_weights
        names = [*self.model.activation_names, self.spec.output]
        described = []
        for i, layer in enumerate(self.model.linears):
            w, b = layer.weight.detach(), layer.bias.detach()
            gw, gb = layer.weight.grad, layer.bias.grad
            entry: dict[str, Any] = {
                "name": f"layer{i + 1}",
                "inputs": layer.in_features,
                "units": layer.out_features,
                "activation": names[i],
                "weight_norm": float(w.norm()),
                "grad_norm": float(gw.norm()) if gw is not None else None,
            }
            if full:
                entry.update(
                    weight=w.tolist(),
                    bias=b.tolist(),
                    weight_grad=gw.tolist() if gw is not None else None,
                    bias_grad=gb.tolist() if gb is not None else None,
                )
            described.append(entry)
        return described

    def _inputs_to_features(self, raw: torch.Tensor) -> torch.Tensor:
        return self.norm.apply(ds.compute_features(raw, self.data.input_names, self.features))

    @torch.no_grad()
    def _forward(self, raw: torch.Tensor) -> torch.Tensor:
        self._eval_mode()
        return self.model(self._inputs_to_features(raw))

    def _axis(self, column: int) -> tuple[float, float]:
        values = self.data.x[:, column]
        lo, hi = float(values.min()), float(values.max())
        pad = max((hi - lo) * 0.1, 0.5)
        return lo - pad, hi + pad

    def _grid_features(self) -> tuple[dict[str, Any], torch.Tensor]:
        """The grid's axes and its points as model inputs (fixed for a run, so computed once)."""
        if self._grid_cache is None:
            n = self.config.grid_resolution
            (x1_lo, x1_hi), (x2_lo, x2_hi) = self._axis(0), self._axis(1)
            rows, cols = torch.meshgrid(
                torch.linspace(x2_lo, x2_hi, n), torch.linspace(x1_lo, x1_hi, n), indexing="ij"
            )  # row = x2, column = x1
            points = torch.stack([cols.reshape(-1), rows.reshape(-1)], 1)
            axes = {"x1": [x1_lo, x1_hi], "x2": [x2_lo, x2_hi], "resolution": n}
            self._grid_cache = (axes, self._inputs_to_features(points))
        return self._grid_cache

    @torch.no_grad()
    def grid(self) -> dict[str, Any]:
        """The model over the data's bounding box: P(class 1) or the class (as integers in
        thousandths: 1000 = certain), or the predicted value."""
        axes, features = self._grid_features()
        n = axes["resolution"]
        self._eval_mode()
        out = self.model(features)
        grid: dict[str, Any] = dict(axes)
        if self.data.task == "regression":
            grid.update(kind="value", values=_rounded(out[:, 0].reshape(n, n)))
            return grid
        p = probabilities(out, loss=self.loss_name, output=self.spec.output, kind=self.spec.kind)
        # Integers encode several times faster than floats, and a heatmap needs no more.
        if p.dim() == 1:
            grid.update(kind="probability", scale=1000, values=_permille(p.reshape(n, n)))
        else:
            confidence, label = p.max(1)
            grid.update(
                kind="class",
                classes=p.shape[1],
                scale=1000,
                values=label.reshape(n, n).tolist(),
                confidence=_permille(confidence.reshape(n, n)),
            )
        return grid

    def curve(self, points: int = 200) -> dict[str, Any]:
        """The fitted function of a one-input model over the data's range."""
        lo, hi = self._axis(0)
        x = torch.linspace(lo, hi, points).unsqueeze(1)
        out = self._forward(x)
        if self.data.task == "classification":
            out = probabilities(
                out, loss=self.loss_name, output=self.spec.output, kind=self.spec.kind
            )
            out = out if out.dim() == 2 else out.unsqueeze(1)
        return {"x": _rounded(x[:, 0]), "y": _rounded(out[:, 0])}

    def predict(self, raw: torch.Tensor) -> list[Any]:
        """Predictions for rows of raw inputs (the dataset's unknown rows)."""
        out = self._forward(raw)
        if self.data.task == "classification":
            out = probabilities(
                out, loss=self.loss_name, output=self.spec.output, kind=self.spec.kind
            )
        return out.tolist()

    @torch.no_grad()
    def loss_surface(self, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The training objective at every (w[j], b[i]), shape [len(b), len(w)]."""
        x = self.x_train[:, 0]
        z = w.reshape(1, -1, 1) * x.reshape(1, 1, -1) + b.reshape(-1, 1, 1)  # [nb, nw, n]
        out = self.model.output(z.unsqueeze(-1))
        target = self.y_train.reshape(1, 1, -1, 1).expand_as(out)
        loss = self.loss_fn(out, target.to(out.dtype), reduction="none").mean(dim=(-2, -1))
        if self.reg_rate and self.reg_kind != "none":
            per_weight = w.abs() if self.reg_kind == "l1" else w * w
            loss = loss + self.reg_rate * per_weight.reshape(1, -1)
        return loss

    def _landscape_box(self) -> tuple[float, float, float, float]:
        x = self.x_train[:, 0].double()
        y = self.y_train.reshape(-1).double()
        design = torch.stack([x, torch.ones_like(x)], 1)
        solution = torch.linalg.lstsq(design, y.unsqueeze(1)).solution[:, 0]
        start = self.path[0]
        ws = [start[0], float(solution[0])]
        bs = [start[1], float(solution[1])]
        w_half = max((max(ws) - min(ws)) * 0.75, 1.0)
        b_half = max((max(bs) - min(bs)) * 0.75, 1.0)
        w_mid, b_mid = (max(ws) + min(ws)) / 2, (max(bs) + min(bs)) / 2
        return w_mid - w_half, w_mid + w_half, b_mid - b_half, b_mid + b_half

    def landscape(self) -> dict[str, Any]:
        """The loss over a (w, b) grid around the start and the best fit, and the descent path."""
        if self._landscape is None:
            n = self.config.grid_resolution
            w_lo, w_hi, b_lo, b_hi = self._landscape_box()
            w = torch.linspace(w_lo, w_hi, n)
            b = torch.linspace(b_lo, b_hi, n)
            self._landscape = {
                "w": [w_lo, w_hi],
                "b": [b_lo, b_hi],
                "resolution": n,
                "loss": _rounded(self.loss_surface(w, b)),  # rows = b, columns = w
            }
        return {**self._landscape, "path": self.path}
