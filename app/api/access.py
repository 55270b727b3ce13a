"""Who may do what with a run: the one table of rights, and the one place that checks it.

A caller is known by the bearer token of its request (`Authorization: Bearer <token>`). The
server issues a token (`secrets.token_urlsafe(32)`) with the first run a caller creates without
one; the 201 answer of that create is the only answer that ever carries it. A create that sends
a token this server issued makes the new run belong to that same token (and answers it again),
so a browser or a script keeps one identity. The server keeps only the token's SHA-256 (hex),
as the run's `owner`; a token never reaches a log, a snapshot or any GET answer.

What a caller may do with a run depends on its role towards the run (`RIGHTS`):

- `anyone` (every caller, with or without a token) may `read` a run it knows the id of: its
  state, history, events, points, program and landscape. The id is unguessable, so knowing it
  is the right to watch (a teacher shares it with the class).
- the run's `owner` (the caller whose token created it) may also `steer` it (pause, resume,
  step, stop, PATCH, DELETE) and sees it in its `list` (GET /api/v1/runs).

Any other attempt answers 403 `forbidden`, after 404 for an unknown run. A create with a token
that is malformed or that this server did not issue (or has forgotten: see `max_tokens`) is
403 too, so a typo never silently starts a second identity.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from app.errors import ErrorType, UserError
from app.train.run import Run
from app.train.runs import RunRegistry

Role = Literal["anyone", "owner"]
Action = Literal["read", "steer", "list"]

RIGHTS: dict[Role, frozenset[Action]] = {
    "anyone": frozenset({"read"}),
    "owner": frozenset({"read", "steer", "list"}),
}

# What the server issues (token_urlsafe(32) is 43 such characters); anything else is malformed.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a token: all the server keeps of it."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who sent a request, as its Authorization header tells."""

    token: str | None = None  # the bearer token as sent (lives only as long as the request)
    malformed: bool = False  # an Authorization header that is not `Bearer <token>`

    @property
    def owner(self) -> str | None:
        """The key runs created with this token carry (None without a well-formed token)."""
        return token_hash(self.token) if self.token and not self.malformed else None


def caller_from(authorization: str | None) -> Caller:
    """The caller of a request with this Authorization header (None: no header)."""
    if authorization is None:
        return Caller()
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not TOKEN_PATTERN.fullmatch(token):
        return Caller(malformed=True)
    return Caller(token=token)


def role(caller: Caller, run: Run) -> Role:
    """The caller's role towards `run`."""
    owner = caller.owner
    if owner is not None and run.owner is not None and hmac.compare_digest(owner, run.owner):
        return "owner"
    return "anyone"


def allowed(caller: Caller, action: Action, run: Run) -> bool:
    """Whether the caller may do `action` with `run`."""
    return action in RIGHTS[role(caller, run)]


def require(caller: Caller, action: Action, run: Run) -> None:
    """Raise 403 `forbidden` unless the caller may do `action` with `run`."""
    if allowed(caller, action, run):
        return
    if caller.malformed:
        why = "the Authorization header is not `Bearer <token>` with a token this server issued"
    elif caller.token is None:
        why = "send the token its creation answered, as `Authorization: Bearer <token>`"
    else:
        why = "this token did not create it"
    raise UserError(f"only the run's owner may {action} run {run.id}: {why}", ErrorType.FORBIDDEN)


def listed(caller: Caller, runs: list[Run]) -> list[Run]:
    """The runs that the caller's list shows."""
    return [run for run in runs if allowed(caller, "list", run)]


def creator(caller: Caller, registry: RunRegistry) -> tuple[str, str]:
    """The token a new run is created with and its owner key: the caller's own token when it
    sent one this server issued, else a fresh one. Raises 403 for a malformed or unknown
    token."""
    if caller.malformed:
        raise UserError(
            "the Authorization header must be `Bearer <token>` with a token a run's creation "
            "answered (or leave it out to get a new token)",
            ErrorType.FORBIDDEN,
        )
    if caller.token is not None:
        owner = token_hash(caller.token)
        if not registry.knows_owner(owner):
            raise UserError(
                "this server did not issue this token (or forgot it after a restart): leave "
                "the Authorization header out to get a new one",
                ErrorType.FORBIDDEN,
            )
        return caller.token, owner
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
