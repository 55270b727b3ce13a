"""Helpers for the graph tests: parse with the server's limits, evaluate into plain numbers."""

from typing import Any

import pytest
import torch

from app.graph.engine import Evaluation, evaluate
from app.graph.program import Program, parse_program
from app.settings import Settings

SETTINGS = Settings()
LIMITS = SETTINGS.evaluation_limits()  # the server's default limits


def parse(source: str) -> Program:
    """Parse with the limits the server uses."""
    return parse_program(
        source,
        max_chars=SETTINGS.max_source_chars,
        max_statements=SETTINGS.max_statements,
        max_nodes=SETTINGS.max_nodes,
    )


def run(source: str, values: dict[str, Any], **kwargs: Any) -> Evaluation:
    """Parse and evaluate."""
    kwargs.setdefault("limits", LIMITS)
    return evaluate(parse(source), values, **kwargs)


def as_tensor(value: Any) -> torch.Tensor:
    """A request value as a float64 tensor for the oracle."""
    return torch.tensor(value, dtype=torch.float64)


@pytest.fixture(autouse=True)
def _deterministic() -> None:
    torch.manual_seed(0)
