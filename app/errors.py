"""One family of user errors for the whole server: a stable type, a sentence a student
understands and, when the problem is in program text, where it is.

Every 4xx answer of the API is a `UserError` (or a request that failed schema validation, type
`invalid_request`); `ErrorType` is the complete list of `error.type` values, documented in the
API docs from this table.
"""

from dataclasses import dataclass
from enum import StrEnum


class ErrorType(StrEnum):
    """Every `error.type` an answer can carry, with its HTTP status and meaning."""

    def __new__(cls, value: str, status: int = 422, doc: str = "") -> "ErrorType":
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status  # type: ignore[attr-defined]
        member.doc = doc  # type: ignore[attr-defined]
        return member

    status: int
    doc: str

    # The request itself.
    INVALID_REQUEST = (
        "invalid_request",
        422,
        "a field is missing, of the wrong type or out of range",
    )
    REQUEST_TOO_LARGE = "request_too_large", 413, "the body is larger than max_request_bytes"
    LIMIT_EXCEEDED = "limit_exceeded", 422, "a documented limit (GET /api/v1/limits) was exceeded"
    NOT_FOUND = "not_found", 404, "no such run, page or endpoint"
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, "the endpoint does not take this method"
    HTTP_ERROR = "http_error", 400, "another HTTP-level problem"
    # The connection (app/server.py: slow or stuck clients, too many of them).
    REQUEST_TIMEOUT = (
        "request_timeout",
        408,
        "the headers or the body came slower than max_header_seconds or max_body_seconds",
    )
    HEADERS_TOO_LARGE = "headers_too_large", 431, "request line and headers over max_header_bytes"
    SERVER_BUSY = "server_busy", 503, "the server holds max_connections connections already"
    FORBIDDEN = (
        "forbidden",
        403,
        "not allowed: the run's token (Authorization: Bearer …) is missing or another's, or a "
        "browser sent the change from another site",
    )
    # Program text (with line, column and span).
    SYNTAX_ERROR = "syntax_error", 422, "the program can't be read at this place"
    PROGRAM_ERROR = "program_error", 422, "the program is readable but wrong (unknown name, …)"
    EMPTY_PROGRAM = "empty_program", 422, "the program has no statement"
    SHAPE_ERROR = "shape_error", 422, "values of shapes that don't fit together"
    VALUE_ERROR = "value_error", 422, "an operation is undefined for these values"
    # Values given to a program.
    INVALID_VALUE = "invalid_value", 422, "a value is not a number or a nested list of numbers"
    MISSING_VALUE = "missing_value", 422, "an input of the program has no value"
    UNKNOWN_VALUE = "unknown_value", 422, "a value names no input of the program"
    UNKNOWN_OUTPUT = "unknown_output", 422, "the output names no node of the program"
    # Gradient descent on a program.
    INVALID_PARAMS = "invalid_params", 422, "a parameter to optimize is not an input"
    INVALID_OBJECTIVE = "invalid_objective", 422, "the objective is not a node of the program"
    INVALID_OPTIMIZER = "invalid_optimizer", 422, "an optimizer or hyperparameter that can't be"
    # Training runs.
    DATASET_ERROR = "dataset_error", 422, "an unknown dataset or a bad dataset option"
    CSV_ERROR = "csv_error", 422, "an uploaded CSV that can't be read (each bad row under rows)"
    FEATURE_ERROR = "feature_error", 422, "a feature the dataset does not offer"
    MODEL_ERROR = "model_error", 422, "a model that can't be built as described"
    LOSS_ERROR = "loss_error", 422, "an unknown loss or regularization"
    LOSS_MISMATCH = "loss_mismatch", 422, "a loss that does not fit the model's output or task"
    RUN_STATE = "run_state", 422, "the run's status does not allow this command"
    # The server.
    INTERNAL_ERROR = "internal_error", 500, "a bug: the server logged it"


@dataclass
class UserError(Exception):
    """A problem a user caused; `type` is stable and machine-readable, `message` a sentence."""

    message: str
    type: ErrorType = ErrorType.PROGRAM_ERROR
    # Position in the program text, when the problem is there.
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    span: tuple[int, int] | None = None  # [start, end) 0-based character offsets
    names: list[str] | None = None  # the names the problem is about (missing inputs, say)

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return f"{self.message}{where}"

    @property
    def status(self) -> int:
        """The HTTP status of the answer."""
        return ErrorType(self.type).status

    def as_dict(self) -> dict[str, object]:
        """The `error` object of the API's 4xx answer."""
        out: dict[str, object] = {"type": str(self.type), "message": self.message}
        if self.line is not None:
            out.update(line=self.line, column=self.column, span=list(self.span or (0, 0)))
        if self.names is not None:
            out["names"] = self.names
        return out


class LimitError(UserError):
    """A documented limit was exceeded."""

    def __init__(self, message: str, **kwargs: object) -> None:
        super().__init__(message, ErrorType.LIMIT_EXCEEDED, **kwargs)  # type: ignore[arg-type]


def position(source: str, start: int, end: int | None = None) -> dict[str, object]:
    """Line, column and span of a character offset range in `source`."""
    start = max(0, min(start, len(source)))
    end = start + 1 if end is None else max(start, min(end, len(source)))
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1) + 1
    return {"line": line, "column": column, "span": (start, end)}


def error_at(
    source: str,
    start: int,
    end: int | None,
    message: str,
    type: ErrorType = ErrorType.PROGRAM_ERROR,
) -> UserError:
    """A UserError positioned at [start, end) of `source`."""
    pos = position(source, start, end)
    return UserError(message, type, pos["line"], pos["column"], pos["span"])  # type: ignore[arg-type]
