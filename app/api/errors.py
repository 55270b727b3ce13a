"""Every 4xx answer has one shape: {"error": {"type", "message", ...}}; no traceback leaks."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.strict_json import StrictJSONResponse, dumps
from app.errors import ErrorType, UserError

log = logging.getLogger("gradplay")
BODY_NOT_PARSED = "There was an error parsing the body"  # FastAPI's 400 detail


def error_response(status: int, type: ErrorType, message: str, **extra: Any) -> StrictJSONResponse:
    """The one error shape of the API."""
    return StrictJSONResponse({"error": {"type": type, "message": message, **extra}}, status)


def _describe_validation(errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    # "[key]" marks an error in a dict's key (an unknown init name): the key names the field.
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "[key]"))
    msg = str(first.get("msg", "invalid value"))
    return f"{where}: {msg}" if where else msg


def install_error_handlers(app: FastAPI) -> None:
    """Turn every failure into the documented error shape."""

    @app.exception_handler(UserError)
    async def user_error(_: Request, exc: UserError) -> StrictJSONResponse:
        return StrictJSONResponse({"error": exc.as_dict()}, exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> StrictJSONResponse:
        errors = list(exc.errors())
        details = jsonable_encoder(
            [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in errors[:20]]
        )
        # A schema bound that is a documented limit says so (app/api/schemas/datasets.py).
        limit = errors[0].get("type") == ErrorType.LIMIT_EXCEEDED
        return error_response(
            422,
            ErrorType.LIMIT_EXCEEDED if limit else ErrorType.INVALID_REQUEST,
            _describe_validation(errors),
            details=details,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> StrictJSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_NOT_PARSED and exc.__cause__:
            # FastAPI's own parse failed past json.loads' syntax errors: bytes that are not
            # UTF-8, an integer longer than Python converts. A bad body, like any other.
            why = str(exc.__cause__).splitlines()[0] or exc.__cause__.__class__.__name__
            return error_response(
                422, ErrorType.INVALID_REQUEST, f"the body is not valid JSON: {why[:200]}"
            )
        type = {404: ErrorType.NOT_FOUND, 405: ErrorType.METHOD_NOT_ALLOWED}.get(
            exc.status_code, ErrorType.HTTP_ERROR
        )
        return error_response(exc.status_code, type, str(exc.detail))

    @app.exception_handler(ClientDisconnect)
    async def client_left(_: Request, exc: ClientDisconnect) -> Response:
        # The client left mid-body (or the body deadline of app/server.py cut it off, which has
        # already answered 408): nobody is there to read an answer, and it is not our error.
        return Response(status_code=400)

    @app.exception_handler(RecursionError)
    async def too_deep(_: Request, exc: RecursionError) -> StrictJSONResponse:
        return error_response(422, ErrorType.LIMIT_EXCEEDED, "the request is nested too deeply")

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> StrictJSONResponse:
        log.exception("internal error", exc_info=exc)
        return error_response(500, ErrorType.INTERNAL_ERROR, "something went wrong on the server")


class BodySizeLimit:
    """Refuse request bodies over `max_bytes` with a 413 before anything parses them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        too_large = refused = False

        # A body without Content-Length (chunked) is counted as it arrives. Past the limit the
        # app is told the client left; whatever it answers (FastAPI answers 400 to a body it
        # could not read) is replaced by the 413.
        async def counting_receive() -> Message:
            nonlocal seen, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            if not too_large:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(send)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not refused:
            refused = True
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = dumps(
            {
                "error": {
                    "type": ErrorType.REQUEST_TOO_LARGE,
                    "message": f"the request body is larger than {self.max_bytes} bytes",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
