"""The catalogue of GET /api/v1/datasets: every vocabulary of the training core as the page and
scripts read it (datasets and their options, models, activations, outputs, losses,
regularizers, optimizers, run options, limits, presets), built from the core's own tables."""

from typing import Any

from app.api.schemas.runs import RunCreate
from app.settings import TrainLimits
from app.train import datasets as ds
from app.train.losses import LOSSES, REGULARIZERS
from app.train.models import ACTIVATIONS, MODELS, OUTPUTS
from app.train.optimizers import DEFAULT_LR, OPTIMIZERS
from app.train.presets import PRESETS


def _dataset_entries(limits: TrainLimits) -> list[dict[str, Any]]:
    """Every dataset with its options and their bounds, and the features it offers."""
    datasets = []
    for name, spec in ds.DATASETS.items():
        entry: dict[str, Any] = {
            "name": name,
            "task": spec.task,
            "doc": spec.doc,
            "options": {
                key: {
                    "default": p.default,
                    "kind": p.kind,
                    "minimum": p.minimum,
                    "maximum": ds.bound(p, limits),
                    "doc": p.doc,
                    **({"choices": list(p.choices)} if p.kind == "choice" else {}),
                }
                for key, p in spec.params.items()
            },
        }
        if name not in ("csv", "points", "random_regression"):
            few = {"n_samples": 4} if "n_samples" in spec.params else {}  # only the names matter
            inputs = ds.make_dataset(name, few, limits).input_names
            entry["features"] = ds.feature_names(inputs)
            entry["feature_options"] = ds.feature_options(inputs)
        datasets.append(entry)
    return datasets


def _feature_ops() -> dict[str, Any]:
    """The feature table: each op's arity, label, legacy spelling and meaning."""
    return {
        name: {
            "arity": op.arity,
            "label": op.label.format("a", "b"),
            "spelling": op.spelling.format("a", "b"),
            "doc": op.doc,
        }
        for name, op in ds.FEATURE_OPS.items()
    }


def build_catalogue(limits: TrainLimits) -> dict[str, Any]:
    """The catalogue for these limits (bounds of dataset options read from them)."""
    return {
        "datasets": _dataset_entries(limits),
        "derived_features": "for inputs a and b: a^2, a*b, sin(a) (TensorFlow Playground's set)",
        "feature_ops": _feature_ops(),
        "models": {name: kind.doc for name, kind in MODELS.items()},
        "activations": list(ACTIVATIONS),
        "outputs": list(OUTPUTS),
        "losses": {
            name: {
                "expects": s.expects,
                "outputs": sorted(s.outputs),
                "targets": s.targets,
                "doc": s.doc,
            }
            for name, s in LOSSES.items()
        },
        "regularization": list(REGULARIZERS),
        "optimizers": {
            name: {"settings": ["lr", *kind.settings], "defaults": kind.defaults, "doc": kind.doc}
            for name, kind in OPTIMIZERS.items()
        },
        "default_lr": DEFAULT_LR,
        "run_options": {
            name: {"default": prop.get("default"), "doc": prop.get("description")}
            for name, prop in RunCreate.model_json_schema()["properties"].items()
            if name not in ("dataset", "model")
        },
        "limits": {
            name: {"value": getattr(limits, name), "doc": field.description}
            for name, field in TrainLimits.model_fields.items()
        },
        "presets": PRESETS,
    }
