"""The limits every training run is held to (each one is listed in GET /api/v1/datasets)."""

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class TrainLimits:
    """Caps on one run and on the server's runs; defaults suit a 2-core laptop."""

    max_samples: int = field(default=10_000, metadata={"doc": "rows in one dataset"})
    max_features: int = field(default=1_000, metadata={"doc": "input columns of one dataset"})
    max_data_elements: int = field(
        default=2_000_000, metadata={"doc": "rows × columns of one dataset"}
    )
    max_classes: int = field(default=20, metadata={"doc": "classes of a classification set"})
    max_csv_bytes: int = field(default=2_000_000, metadata={"doc": "bytes of an uploaded CSV"})
    max_parameters: int = field(default=200_000, metadata={"doc": "weights and biases of a model"})
    max_hidden_layers: int = field(default=8, metadata={"doc": "hidden layers of an MLP"})
    max_units: int = field(default=1_024, metadata={"doc": "units of one hidden layer"})
    max_epochs: int = field(default=20_000, metadata={"doc": "epochs of one run"})
    max_steps: int = field(default=1_000_000, metadata={"doc": "parameter updates of one run"})
    max_run_seconds: float = field(
        default=900.0, metadata={"doc": "seconds one run may spend training (paused time excluded)"}
    )
    max_active_runs: int = field(
        default=64, metadata={"doc": "runs not yet ended (running, paused or diverged) at once"}
    )
    max_stored_runs: int = field(
        default=200, metadata={"doc": "runs kept in memory, finished ones included"}
    )
    sweep_every_seconds: float = field(
        default=5.0, metadata={"doc": "how often the server looks for abandoned runs"}
    )
    abandoned_after_seconds: float = field(
        default=300.0,
        metadata={"doc": "a run nobody has read or steered for this long is stopped"},
    )
    keep_finished_seconds: float = field(
        default=1_800.0, metadata={"doc": "a finished run is forgotten after this long"}
    )
    max_frames_per_second: float = field(
        default=30.0, metadata={"doc": "frames one run streams per second"}
    )
    frame_ring: int = field(
        default=8, metadata={"doc": "latest frames kept per run for a reader that falls behind"}
    )
    max_frame_weights: int = field(
        default=5_000,
        metadata={"doc": "parameters above which frames give per-layer summaries, not matrices"},
    )
    max_grid_resolution: int = field(
        default=100, metadata={"doc": "cells per side of a decision-boundary or landscape grid"}
    )
    max_path_points: int = field(
        default=1_000, metadata={"doc": "points of the descent path a frame carries (thinned)"}
    )
    # One thread: measured on 2 cores, 16 small runs did 1,770 updates/s with one thread and
    # 1,360 with two (they mostly queue for the GIL); bench/bench_train.py --workers 2 to retry.
    worker_threads: int = field(default=1, metadata={"doc": "threads that train runs"})

    def describe(self) -> dict[str, dict[str, object]]:
        """Every limit with its value and meaning, for the catalogue."""
        values = asdict(self)
        return {f.name: {"value": values[f.name], "doc": f.metadata["doc"]} for f in fields(self)}


def from_env(environ: Mapping[str, str] = os.environ) -> TrainLimits:
    """The defaults, each overridden by its GRADPLAY_TRAIN_<NAME> environment variable."""
    changes: dict[str, int | float] = {}
    for f in fields(TrainLimits):
        raw = environ.get(f"GRADPLAY_TRAIN_{f.name.upper()}")
        if raw is not None:
            changes[f.name] = int(raw) if f.type is int else float(raw)
    return TrainLimits(**changes)  # type: ignore[arg-type]


LIMITS = from_env()
