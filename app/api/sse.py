"""The Server-Sent Events wire format of a run's events (`id`, `event`, strict-JSON `data`).

The edge owns the format; the run registry is handed this encoder and calls it on the worker
thread as each event is appended, so readers on the event loop only forward the bytes."""

from app.api.strict_json import dumps


def sse_event(event_id: int, kind: str, payload: object) -> str:
    """One event as the stream writes it: "id: …\\nevent: …\\ndata: …\\n\\n"."""
    return f"id: {event_id}\nevent: {kind}\ndata: {dumps(payload)}\n\n"
