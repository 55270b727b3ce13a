"""Schemas of a run's ownership: the create answer (the one answer that carries a token) and
the caller's own list of runs."""

from typing import Literal

from pydantic import BaseModel, Field

from app.api.schemas.runs import RunPublic


class RunCreated(RunPublic):
    """A new run's state and the token that steers it (answered here only, never again)."""

    token: str = Field(
        description="send it as `Authorization: Bearer <token>` to steer this run, and on the "
        "next create to keep the same owner; the server keeps only its hash"
    )


class RunSummary(BaseModel):
    """One run of the caller's list."""

    id: str
    status: Literal["running", "paused", "finished", "diverged", "stopped", "failed"]
    epoch: int = Field(description="epochs completed")
    step: int = Field(description="updates performed")


class RunList(BaseModel):
    """The runs the caller's token created that the server still holds, oldest first."""

    runs: list[RunSummary]
