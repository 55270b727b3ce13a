"""Answers computed and encoded on a worker thread: the event loop only sends the bytes."""

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from app.api.strict_json import StrictJSONResponse

__all__ = ["answer_off_loop"]


async def answer_off_loop(compute: Callable[..., Any], *args: Any) -> StrictJSONResponse:
    """`compute(*args)` as a strict JSON answer, both the work and its encoding off the loop
    (a StrictJSONResponse built on the loop renders its whole answer there)."""
    return await run_in_threadpool(lambda: StrictJSONResponse(compute(*args)))
