"""Paged answers: a long list served a page at a time, with where the next page starts."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class HistoryPage(BaseModel):
    """One page of a run's history: one entry per epoch, oldest first."""

    model_config = ConfigDict(ser_json_inf_nan="strings")  # "NaN", "Infinity": strict JSON

    steps: list[dict[str, Any]] = Field(
        description="epoch, step, train_loss, val_loss, accuracies, grad_norm, lr (and params "
        "{w, b} for a two-parameter model), for the epochs after `since`"
    )
    next: int | None = Field(
        description="the `since` of the next page when `limit` cut this one; null when this "
        "page holds every entry recorded so far"
    )
