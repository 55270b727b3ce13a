"""Security headers on every answer, and the Origin check on requests that change state.

The pages build their DOM from text (`static/src/common/dom.js`), and the Content-Security-Policy
is the second wall: no inline script, no inline style, nothing loaded from another site. The
offline API docs are the exceptions: /docs carries one inline script (Swagger UI's start-up),
allowed by its hash alone; /redoc builds its styles as `<style>` elements, so it alone allows
inline styles (never inline scripts).

A foreign web page can make a browser send a CORS-"simple" `POST` (no body, no custom header)
to this server; the Origin check refuses any state-changing request a browser marks as coming
from another site, before any route runs. Clients that send no `Origin` (curl, scripts) pass.
"""

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response
from app.errors import ErrorType

# Directive → sources, for every answer. `img-src data: blob:` for the canvas snapshots and
# icons the pages and Swagger UI draw; everything else only from this server.
BASE_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

OTHER_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


def policy_text(policy: dict[str, str]) -> str:
    """A policy as the header's `directive sources; …` text."""
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def with_inline_hashes(html: str) -> str:
    """The base policy, allowing exactly the inline `<script>` and `<style>` blocks of `html`."""
    # A hash, unlike 'unsafe-inline', lets through only the block it was computed from.
    policy = dict(BASE_POLICY)
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        directive = f"{tag}-src"
        policy[directive] += f" 'sha256-{digest}'"
    return policy_text(policy)


def docs_policies(app: FastAPI, static_url: str = "/static-offline-docs") -> dict[str, str]:
    """Path → policy for the offline docs pages (/docs: Swagger UI, /redoc: ReDoc).

    fastapi-offline renders /docs with `get_swagger_ui_html`; its one inline script depends
    only on the URLs and parameters below, so its hash is known here (a browser test sees a
    CSP violation if they ever drift). ReDoc's styled-components writes `<style>` elements as
    it renders and runs its search in a worker made from a blob, so /redoc alone allows inline
    styles and blob workers (only its own scripts can make a blob); its scripts stay as strict
    as everywhere. Its "Redocly" logo from a CDN stays blocked: the docs work offline."""
    swagger = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=app.title,
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        swagger_js_url=f"{static_url}/swagger-ui-bundle.js",
        swagger_css_url=f"{static_url}/swagger-ui.css",
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    html = bytes(swagger.body).decode()
    redoc = {**BASE_POLICY, "style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"}
    return {"/docs": with_inline_hashes(html), "/redoc": policy_text(redoc)}


def foreign_origin(scope: Scope) -> str | None:
    """Why a state-changing request comes from another site, or None when it does not."""
    headers = Headers(scope=scope)
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        return "the browser marked it Sec-Fetch-Site: cross-site"
    origin = headers.get("origin")
    if origin is None:
        return None
    own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
    if origin.lower() != own:
        return f"its Origin {origin!r} is not this server's ({own!r})"
    return None


class SecurityHeaders:
    """Add the security headers to every answer and refuse cross-site state changes (403)."""

    def __init__(self, app: ASGIApp, page_policies: dict[str, str] | None = None) -> None:
        self.app = app
        self.default_policy = policy_text(BASE_POLICY)
        self.page_policies = page_policies or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.page_policies.get(scope["path"], self.default_policy)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in OTHER_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        reason = scope["method"] in STATE_CHANGING and foreign_origin(scope)
        if reason:
            refusal = error_response(
                403,
                ErrorType.FORBIDDEN,
                f"{scope['method']} refused: {reason}; steer this server from its own pages "
                "or from a client that sends no Origin header",
                header="Origin",
            )
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI) -> None:
    """Install `SecurityHeaders` outermost, so every answer (413s and 404s too) carries them."""
    app.add_middleware(SecurityHeaders, page_policies=docs_policies(app))
