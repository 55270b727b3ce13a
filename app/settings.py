"""All configuration in one place: laptop defaults, overridden by GRADPLAY_* env vars.

The server's own settings and the program limits are `GRADPLAY_<NAME>`; the training limits
are a nested section, `GRADPLAY_TRAIN_<NAME>`. The app is built from one `Settings` object
(`create_app(settings)`), which passes the limits to the core explicitly.
"""

import functools
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.graph.limits import Limits


class TrainLimits(BaseModel):
    """Caps on one training run and on the server's runs; defaults suit a 2-core laptop."""

    max_samples: int = Field(10_000, ge=1, description="rows in one dataset")
    max_features: int = Field(1_000, ge=1, description="input columns of one dataset")
    max_data_elements: int = Field(2_000_000, ge=1, description="rows × columns of one dataset")
    max_classes: int = Field(20, ge=2, description="classes of a classification set")
    max_csv_bytes: int = Field(2_000_000, ge=1, description="bytes of an uploaded CSV")
    max_parameters: int = Field(200_000, ge=1, description="weights and biases of a model")
    max_hidden_layers: int = Field(8, ge=0, description="hidden layers of an MLP")
    max_units: int = Field(1_024, ge=1, description="units of one hidden layer")
    max_epochs: int = Field(20_000, ge=1, description="epochs of one run")
    max_steps: int = Field(1_000_000, ge=1, description="parameter updates of one run")
    max_run_seconds: float = Field(
        900.0, gt=0, description="seconds one run may spend training (paused time excluded)"
    )
    max_active_runs: int = Field(
        64, ge=1, description="runs not yet ended (running, paused or diverged) at once"
    )
    max_stored_runs: int = Field(
        200, ge=1, description="runs kept in memory, finished ones included"
    )
    sweep_every_seconds: float = Field(
        5.0, gt=0, description="how often the server looks for abandoned runs"
    )
    abandoned_after_seconds: float = Field(
        300.0, gt=0, description="a run nobody has read or steered for this long is stopped"
    )
    keep_finished_seconds: float = Field(
        1_800.0, ge=0, description="a finished run is forgotten after this long"
    )
    max_tokens: int = Field(
        10_000,
        ge=1,
        description="run tokens remembered besides the owners of runs held (the least recently "
        "used is forgotten first; creating a run with a forgotten token is refused)",
    )
    command_answer_seconds: float = Field(
        5.0,
        gt=0,
        description="longest wait for the worker to apply a steering command; a command not "
        "taken by then is withdrawn (never applied) and answered 422 run_state",
    )
    max_frames_per_second: float = Field(
        30.0, gt=0, description="frames one run streams per second"
    )
    frame_ring: int = Field(
        8, ge=1, description="latest frames kept per run for a reader that falls behind"
    )
    max_frame_weights: int = Field(
        5_000,
        ge=0,
        description="parameters above which frames give per-layer summaries, not matrices",
    )
    max_grid_resolution: int = Field(
        100, ge=2, description="cells per side of a decision-boundary or landscape grid"
    )
    max_path_points: int = Field(
        1_000, ge=2, description="points of the descent path a frame carries (thinned)"
    )
    # One thread: measured on 2 cores, 16 small runs did 1,770 updates/s with one thread and
    # 1,360 with two (they mostly queue for the GIL); bench/bench_train.py --workers 2 to retry.
    worker_threads: int = Field(1, ge=1, le=64, description="threads that train runs")


class Settings(BaseSettings):
    """Server settings and the limits every request is held to (all listed in the API docs)."""

    model_config = SettingsConfigDict(
        env_prefix="GRADPLAY_", env_nested_delimiter="_", env_nested_max_split=1
    )

    host: str = "127.0.0.1"
    port: int = 8000

    # Connections: what a slow, stuck or greedy client may hold (the guarded protocol of
    # app/server.py). An SSE stream is a connection for as long as it is read. Measured on 2
    # shared cores, one run at 10 frames/s: 500 readers cost ~30 MB and a tiny evaluate took
    # 80-270 ms beside them, 750 readers 84 MB and up to 8 s (the loop fans frames out).
    max_connections: int = Field(
        500, ge=1, description="open connections at once, SSE streams included (503 beyond)"
    )
    max_header_bytes: int = Field(
        16_384, ge=1_024, description="bytes of a request's line and headers (431 beyond)"
    )
    max_header_seconds: float = Field(
        10.0, gt=0, description="seconds a client may take to send a request's headers (408)"
    )
    max_body_seconds: float = Field(
        60.0, gt=0, description="seconds a client may take to send a request's body (408)"
    )
    max_idle_seconds: float = Field(
        5.0, gt=0, description="seconds a kept-alive connection may wait for its next request"
    )

    # Limits on a program and its evaluation.
    max_source_chars: int = Field(20_000, description="characters in a program")
    max_statements: int = Field(1_000, description="statements in a program")
    max_nodes: int = Field(2_000, description="nodes in a program's graph")
    max_tensor_elements: int = Field(
        2_000_000, description="elements in any one input or intermediate tensor"
    )
    max_graph_elements: int = Field(
        20_000_000, description="elements over all values of one evaluation (memory bound)"
    )
    max_total_elements: int = Field(
        4_000_000, description="elements over all input values of one request"
    )
    max_dims: int = Field(8, description="dimensions of one input value")
    max_request_bytes: int = Field(32_000_000, description="bytes in a request body")
    max_eval_seconds: float = Field(10.0, description="wall time of one evaluation")
    max_optimize_steps: int = Field(100_000, description="steps of one gradient descent")
    max_optimize_seconds: float = Field(20.0, description="wall time of one gradient descent")
    max_history_entries: int = Field(10_000, description="history entries in one answer")
    max_history_param_elements: int = Field(
        100, description="parameter elements above which history entries omit params"
    )
    # Checked from the inferred shapes before anything runs (app/graph/cost.py).
    max_eval_bytes: int = Field(
        200_000_000,
        description="bytes of every value and gradient of one evaluation or descent step "
        "(4 per float32 element, 8 per float64)",
    )
    # A 4-GFLOP product takes about 0.15 s on one 2-core laptop (26 GFLOP/s, bench/): 1e11 is
    # about 4 s, well within max_eval_seconds on a busy machine too.
    max_eval_flops: int = Field(
        100_000_000_000,
        description="estimated floating-point operations of one evaluation or descent step, "
        "forward and backward (a product of m×k and k×n: 2·m·n·k forward, twice that backward)",
    )
    # Encoding takes about 0.8 µs per number and sends about 20 bytes of JSON each (measured
    # by bench/bench_graph.py): 2,000,000 numbers are about 1.6 s and 40 MB.
    max_answer_numbers: int = Field(
        2_000_000,
        description="numbers in one answer: every node's value and gradient and two per edge "
        "(evaluate), the parameters and their history (optimize)",
    )

    # Long answers, and the big bodies that come with long questions: the event loop only
    # routes, so a body over parse_inline_bytes is parsed in a parser process (json.loads holds
    # the GIL, a thread would still stall the loop) and a history is encoded in cached blocks
    # on a worker thread. bench/bench_loop.py measures a tiny evaluate beside them.
    max_data_request_bytes: int = Field(
        5_000_000,
        ge=1,
        description="bytes in a run or dataset request body (a CSV of max_csv_bytes, escaped "
        "as a JSON string, and clicked points)",
    )
    parse_inline_bytes: int = Field(
        64_000, ge=0, description="bodies over this many bytes are parsed in a parser process"
    )
    body_parsers: int = Field(1, ge=1, le=16, description="parser processes for big bodies")
    max_history_page: int = Field(
        20_000, ge=1, description="history entries in one answer (the default `limit`)"
    )
    # A worker thread holding the GIL gives it up after this long when the loop asks for it.
    # Measured (bench/bench_loop.py --kinds heavy): a tiny evaluate beside heavy evaluates had
    # p95 82 ms with Python's 5 ms and 25 ms with 1 ms.
    gil_switch_seconds: float = Field(
        0.001, gt=0, le=0.1, description="the interpreter's GIL switch interval (seconds)"
    )
    history_block: int = Field(
        250, ge=1, description="history entries encoded together and kept as one block"
    )

    train: TrainLimits = Field(default_factory=TrainLimits, description="training limits")

    def evaluation_limits(self, *, seconds: float | None = None) -> Limits:
        """The limits of one evaluation (`seconds`: its wall time, default max_eval_seconds)."""
        return Limits(
            max_tensor_elements=self.max_tensor_elements,
            max_total_elements=self.max_total_elements,
            max_graph_elements=self.max_graph_elements,
            max_seconds=self.max_eval_seconds if seconds is None else seconds,
            max_dims=self.max_dims,
            max_bytes=self.max_eval_bytes,
            max_flops=self.max_eval_flops,
            max_answer_numbers=self.max_answer_numbers,
        )

    def limits(self) -> dict[str, dict[str, Any]]:
        """Every limit with its value, meaning and section, as GET /api/v1/limits lists them."""
        out: dict[str, dict[str, Any]] = {}
        for name, field in type(self).model_fields.items():
            if name.startswith("max_"):
                out[name] = {
                    "value": getattr(self, name),
                    "description": field.description,
                    "section": "connections" if name in CONNECTION_LIMITS else "programs",
                }
        for name, field in TrainLimits.model_fields.items():
            out[name] = {
                "value": getattr(self.train, name),
                "description": field.description,
                "section": "training",
            }
        return out


# The `# Connections` block's limits: GET /api/v1/limits lists them as section "connections".
CONNECTION_LIMITS = (
    "max_connections",
    "max_header_bytes",
    "max_header_seconds",
    "max_body_seconds",
    "max_idle_seconds",
)


@functools.cache
def get_settings() -> Settings:
    """The settings from the environment, read once (what `python -m app` serves with)."""
    return Settings()
