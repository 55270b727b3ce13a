"""One family of errors for program text and evaluation, each with a position a student can find."""

from dataclasses import dataclass


@dataclass
class GraphError(Exception):
    """A problem a user caused; `type` is a stable machine-readable name, `message` a sentence."""

    message: str
    type: str = "program_error"
    # Position in the program text, when the problem is there.
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    span: tuple[int, int] | None = None  # [start, end) 0-based character offsets
    names: list[str] | None = None  # the names the problem is about (missing inputs, say)

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return f"{self.message}{where}"

    def as_dict(self) -> dict[str, object]:
        """The `error` object of the API's 4xx answer."""
        out: dict[str, object] = {"type": self.type, "message": self.message}
        if self.line is not None:
            out.update(line=self.line, column=self.column, span=list(self.span or (0, 0)))
        if self.names is not None:
            out["names"] = self.names
        return out


def position(source: str, start: int, end: int | None = None) -> dict[str, object]:
    """Line, column and span of a character offset range in `source`."""
    start = max(0, min(start, len(source)))
    end = start + 1 if end is None else max(start, min(end, len(source)))
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1) + 1
    return {"line": line, "column": column, "span": (start, end)}


def error_at(
    source: str, start: int, end: int | None, message: str, type: str = "program_error"
) -> GraphError:
    """A GraphError positioned at [start, end) of `source`."""
    pos = position(source, start, end)
    return GraphError(message, type, pos["line"], pos["column"], pos["span"])  # type: ignore[arg-type]


class LimitError(GraphError):
    """A documented limit was exceeded."""

    def __init__(self, message: str, **kwargs: object) -> None:
        super().__init__(message, "limit_exceeded", **kwargs)  # type: ignore[arg-type]
