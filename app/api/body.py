"""Request bodies: each route's size limit checked before the body is read, and a body over
`parse_inline_bytes` parsed in the body parser process, never on the event loop.

Why a process: json.loads (and pydantic-core) hold the GIL for the whole parse, so a 30 MB body
parsed on a worker thread still stalls the event loop for most of a second (measured: a 20 MB
body, 0.76 s of json.loads; a thread beside it waited 0.75 s). The parser process hands back
the document with a program's tensor values as numpy arrays: unpickling those is a copy of one
buffer each, where a list of millions of Python floats would be built under the GIL again.
"""

import asyncio
import email.message
import multiprocessing
from collections.abc import Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from app.api.body_parse import parse_body, watch_parent
from app.errors import ErrorType, LimitError, UserError
from app.settings import Settings

__all__ = ["BodyParsers", "DataRoute", "ProgramRoute"]


class BodyParsers:
    """The body parser processes, started on the first big body and closed with the app."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: a forked copy of a server holding torch's threads can deadlock.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=watch_parent
            )
        return self._pool

    def warm(self) -> None:
        """Start the parser processes now, so the first big body does not wait for them."""
        self._executor().submit(parse_body, b"{}", False)

    async def parse(self, body: bytes, tensor_values: bool) -> tuple[str, Any]:
        """Parse `body` in a parser process (see body_parse.parse_body for the answer)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), parse_body, body, tensor_values)
        except BrokenProcessPool:
            # The parser died (killed for memory, most likely): a fresh one serves the next body.
            self._pool = None
            raise HTTPException(503, "the request body could not be parsed; retry") from None

    def close(self) -> None:
        """Stop the parser processes (at the app's shutdown)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _is_json(request: Request) -> bool:
    """What FastAPI itself parses as JSON: no content type, or application/json or +json."""
    content_type = request.headers.get("content-type")
    if not content_type:
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def _read_body(request: Request, max_bytes: int) -> bytes:
    """The body, refused with a 413 as soon as it is known to be over `max_bytes`."""
    too_large = UserError(
        f"the request body is larger than {max_bytes} bytes", ErrorType.REQUEST_TOO_LARGE
    )
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise too_large  # refused before a byte of it is read
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():  # a chunked body is counted as it arrives
        seen += len(chunk)
        if seen > max_bytes:
            raise too_large
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # what Request.body() returns from now on
    return body


def _set_parsed(request: Request, parsed: tuple[str, Any]) -> None:
    """Give FastAPI the parsed document, or raise the error its own parse would have raised."""
    kind, detail = parsed
    if kind == "ok":
        request._json = detail  # what Request.json() returns from now on: FastAPI validates it
    elif kind == "json_invalid":
        position, message = detail
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", position),
                    "msg": f"JSON decode error: {message}",
                    "input": {},
                    "ctx": {"error": message},
                }
            ]
        )
    elif kind == "too_deep":
        raise LimitError("the request is nested too deeply")
    else:
        name, message = detail
        raise UserError(
            f"the value of {name} is not a tensor: {message}. Rows of a matrix must have equal "
            "lengths and contain only numbers.",
            ErrorType.INVALID_VALUE,
        )


class _BodyRoute(APIRoute):
    """A route whose body is bounded by one of the settings and parsed off the event loop."""

    max_bytes_setting: ClassVar[str] = "max_request_bytes"
    tensor_values: ClassVar[bool] = False  # the body's `values` are a program's tensors

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, after the body is read within its limit and parsed if big."""
        handler = super().get_route_handler()
        max_bytes_setting, tensor_values = self.max_bytes_setting, self.tensor_values
        takes_json = self.body_field is not None  # POST /datasets/csv reads raw text itself

        async def route(request: Request) -> Response:
            if request.method in ("POST", "PUT", "PATCH"):
                settings: Settings = request.app.state.settings
                body = await _read_body(request, getattr(settings, max_bytes_setting))
                big = len(body) > settings.parse_inline_bytes
                if big and takes_json and _is_json(request):
                    parsers: BodyParsers = request.app.state.body_parsers
                    _set_parsed(request, await parsers.parse(body, tensor_values))
            return await handler(request)

        return route


class ProgramRoute(_BodyRoute):
    """The Graph lab's routes: bodies up to max_request_bytes, `values` as tensors."""

    tensor_values = True


class DataRoute(_BodyRoute):
    """Runs and datasets: bodies up to max_data_request_bytes (a CSV and clicked points)."""

    max_bytes_setting = "max_data_request_bytes"
