"""The HTTP server: uvicorn's h11 protocol with deadlines for slow and stuck clients.

uvicorn's H11Protocol times out only an idle kept-alive connection; a client that sends its
headers (or its body) a byte at a time holds a connection, a task and its buffers forever.
`GuardedH11Protocol` gives each phase of a request a deadline: the headers within
`max_header_seconds` of the connection (or of the request's first byte on a kept-alive one),
the body within `max_body_seconds` of the headers, and no more than `max_idle_seconds` between
requests. While the server writes the answer no client deadline runs: an SSE stream lives as
long as its reader. The connection count is capped at `max_connections`, the header bytes at
`max_header_bytes` (h11's incomplete-event bound), so stuck clients cost bounded memory.
"""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from app.errors import ErrorType
from app.settings import Settings


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may hold, from the settings' `# Connections` block."""

    max_connections: int
    max_header_bytes: int
    max_header_seconds: float
    max_body_seconds: float
    max_idle_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "ConnectionLimits":
        """The connection limits of `settings`."""
        return cls(
            max_connections=settings.max_connections,
            max_header_bytes=settings.max_header_bytes,
            max_header_seconds=settings.max_header_seconds,
            max_body_seconds=settings.max_body_seconds,
            max_idle_seconds=settings.max_idle_seconds,
        )


def error_answer(error_type: ErrorType, message: str) -> bytes:
    """A complete HTTP/1.1 answer with the API's error shape that closes the connection."""
    body = json.dumps({"error": {"type": str(error_type), "message": message}}).encode()
    head = (
        f"HTTP/1.1 {error_type.status} {_REASONS[error_type.status]}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with header and body deadlines and a connection cap."""

    # Set per server by `protocol_class`: uvicorn builds protocols from a class, not a factory.
    limits: ClassVar[ConnectionLimits]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.timeout_keep_alive = self.limits.max_idle_seconds  # type: ignore[assignment]
        self._deadline: asyncio.TimerHandle | None = None
        # Which client phase the deadline bounds: "headers", "body" or None (none runs).
        self._phase: str | None = None
        self._bytes_of_request = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Refuse the connection over the cap; otherwise start the headers' deadline."""
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._answer_and_close(
                ErrorType.SERVER_BUSY,
                f"the server holds its limit of {self.limits.max_connections} connections "
                "(max_connections); try again in a moment",
            )
            return
        self._start("headers", self.limits.max_header_seconds, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline with the connection."""
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """A kept-alive connection's next request starts its headers' deadline."""
        if self._phase is None and self.conn.their_state is h11.IDLE:
            self._bytes_of_request = 0
            self._start("headers", self.limits.max_header_seconds, self._headers_late)
        self._bytes_of_request += len(data)
        super().data_received(data)

    def handle_events(self) -> None:
        """After h11 has read what it can, move the deadline to the request's new phase."""
        was_reading_headers = self._phase == "headers"
        super().handle_events()
        state = self.conn.their_state
        if was_reading_headers and state is not h11.IDLE and self._headers_too_large():
            # h11 bounds only headers still incomplete; these came whole in one read.
            self.send_400_response("headers too large")
            return
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._start("body", self.limits.max_body_seconds, self._body_late)
        elif state is not h11.IDLE:
            # The request is in (or the connection is ending): the answer has no deadline.
            self._cancel()
        elif self._phase == "body":
            self._cancel()

    def send_400_response(self, msg: str) -> None:
        """h11 refused the request: headers over max_header_bytes get 431, the rest 400."""
        if (
            len(self.conn.trailing_data[0]) > self.limits.max_header_bytes
            or self._headers_too_large()
        ):
            self._answer_and_close(
                ErrorType.HEADERS_TOO_LARGE,
                f"the request line and headers are over {self.limits.max_header_bytes:,} bytes "
                "(max_header_bytes)",
            )
        else:
            self._answer_and_close(ErrorType.HTTP_ERROR, "the request is not valid HTTP/1.1")

    def _headers_too_large(self) -> bool:
        if self.conn.their_state in (h11.IDLE, h11.ERROR) or not self.scope:
            return False
        size = len(self.scope["raw_path"]) + len(self.scope["query_string"])
        return (
            size + sum(len(k) + len(v) + 4 for k, v in self.headers) > self.limits.max_header_bytes
        )

    def _headers_late(self) -> None:
        self._deadline = None
        if self._bytes_of_request == 0:
            # A connection opened and never used (a browser's preconnect, say): just close it.
            self._close()
            return
        self._answer_and_close(
            ErrorType.REQUEST_TIMEOUT,
            f"the request's headers did not arrive within {self.limits.max_header_seconds:g} s "
            "(max_header_seconds)",
        )

    def _body_late(self) -> None:
        self._deadline = None
        if self.cycle is not None and self.cycle.response_started:
            self._close()
            return
        self._answer_and_close(
            ErrorType.REQUEST_TIMEOUT,
            f"the request's body did not arrive within {self.limits.max_body_seconds:g} s "
            "(max_body_seconds)",
        )

    def _answer_and_close(self, error_type: ErrorType, message: str) -> None:
        if self.cycle is not None:
            # The app's task (waiting for the body) is told the client left; whatever it
            # answers then is dropped, as ours is the connection's last answer.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        if not self.transport.is_closing():
            self.transport.write(error_answer(error_type, message))
        self._close()

    def _close(self) -> None:
        self._cancel()
        if not self.transport.is_closing():
            self.transport.close()

    def _start(self, phase: str, seconds: float, late: Callable[[], None]) -> None:
        self._cancel()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, late)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = None


def protocol_class(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """A `GuardedH11Protocol` bound to `limits`, to hand to uvicorn as its `http` class."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits})


def serve(settings: Settings) -> None:
    """Run the app with `settings` on uvicorn, pinned to the guarded h11 protocol."""
    limits = ConnectionLimits.from_settings(settings)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        # Pinned: with httptools installed, "auto" would pick a protocol without these guards.
        http=protocol_class(limits),
        h11_max_incomplete_event_size=limits.max_header_bytes,
        ws="none",  # the app speaks no WebSocket; an Upgrade is answered as plain HTTP
    )
