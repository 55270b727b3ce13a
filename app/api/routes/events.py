"""A run's event stream: Server-Sent Events `step`, `frame` and `status`, resumable with
Last-Event-ID. The stream only reads the run's event log; it never touches the trainer."""

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from app.api.deps import RegistryDep
from app.api.routes.runs import ERRORS
from app.api.schemas.events import FrameEvent, StatusEvent, StepEvent
from app.errors import ErrorType, UserError
from app.train.runs import Run

router = APIRouter(prefix="/api/v1", tags=["training"])

KEEPALIVE_SECONDS = 15.0  # an SSE comment this often keeps proxies from closing a quiet stream
EVENT_ID = re.compile(r"[0-9]{1,18}")  # what a Last-Event-ID may be
MIN_FLUSH_SECONDS = 0.02  # a stream writes at most this often (events are batched meanwhile)


async def _stream(run: Run, last_id: int) -> AsyncIterator[str]:
    flag = run.log.subscribe()
    run.readers += 1
    try:
        yield "retry: 2000\n\n"
        last_write = time.monotonic()
        while True:
            flag.clear()
            run.touch()
            over = run.over  # read before the log: a run's last events precede its end
            events = run.log.since(last_id)
            if events:
                last_id = events[-1].id
                yield "".join(e.text for e in events)
                last_write = time.monotonic()
                await asyncio.sleep(MIN_FLUSH_SECONDS)
                continue
            if over:
                return  # everything is sent and nothing more will come
            try:
                await asyncio.wait_for(flag.wait(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                if time.monotonic() - last_write >= KEEPALIVE_SECONDS:
                    yield ": keepalive\n\n"
                    last_write = time.monotonic()
    finally:
        run.readers -= 1
        run.log.unsubscribe(flag)


@router.get(
    "/runs/{run_id}/events",
    responses={
        **ERRORS,
        200: {
            "description": "events `step`, `frame` and `status`; `data` is one JSON object",
            "content": {
                "text/event-stream": {
                    "schema": {
                        "oneOf": [
                            StepEvent.model_json_schema(),
                            FrameEvent.model_json_schema(),
                            StatusEvent.model_json_schema(),
                        ]
                    },
                    "example": 'id: 7\nevent: status\ndata: {"status":"diverged","reason":"the'
                    ' loss became nan at step 9: the updates overshot (learning rate 10)",'
                    '"flags":[]}\n\n',
                }
            },
        },
    },
    summary="Server-Sent Events: step, frame, status",
)
async def run_events(
    run_id: str,
    registry: RegistryDep,
    last_event_id: Annotated[str | None, Header(description="resume after this event id")] = None,
    after: Annotated[int | None, Query(ge=0, description="same as Last-Event-ID")] = None,
) -> StreamingResponse:
    """`step` (one history entry), `frame` (what the page draws) and `status` events, each with
    an `id`; reconnecting with `Last-Event-ID` resumes without gaps or repeats (frames are
    snapshots: a reader that falls behind gets the newest ones). The stream ends after the
    run's final events."""
    run = registry.get(run_id)
    start = after if after is not None else 0
    if last_event_id is not None:
        given = last_event_id.strip()
        if not EVENT_ID.fullmatch(given):  # ASCII digits only: str.isdigit also takes "²"
            raise UserError("Last-Event-ID must be a whole number", ErrorType.INVALID_REQUEST)
        start = int(given)
    return StreamingResponse(
        _stream(run, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
