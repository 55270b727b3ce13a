"""The FastAPI application: pages, the JSON API, static files and offline API docs.

`create_app(settings)` builds everything from one `Settings`; the lifespan makes the run
registry and the catalogue (on `app.state`) and closes the training workers at shutdown.
"""

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from app.api.body import BodyParsers
from app.api.catalogue import build_catalogue
from app.api.errors import BodySizeLimit, install_error_handlers
from app.api.routes import datasets, events, graphs, pages, runs
from app.api.security import install_security
from app.api.sse import sse_event
from app.api.strict_json import StrictJSONResponse
from app.errors import ErrorType
from app.settings import Settings, get_settings
from app.train.runs import RunRegistry

ROOT = Path(__file__).resolve().parents[1]

DESCRIPTION = """
Gradplay computes with real PyTorch autograd. Every answer is strict JSON: non-finite numbers
are the strings `"NaN"`, `"Infinity"` and `"-Infinity"`. Every 4xx answer has the shape
`{"error": {"type": str, "message": str}}`, plus `line`, `column` (1-based) and `span`
(`[start, end)`, 0-based) when the problem is in the program text.

"""


def _errors_markdown() -> str:
    rows = "\n".join(f"| `{t}` | {t.status} | {t.doc} |" for t in ErrorType)
    return f"## Error types\n\n| type | status | meaning |\n|---|---|---|\n{rows}\n\n"


def _limits_markdown(settings: Settings) -> str:
    sections: dict[str, list[str]] = {"programs": [], "training": [], "connections": []}
    for name, limit in settings.limits().items():
        env = f"GRADPLAY_{'TRAIN_' if limit['section'] == 'training' else ''}{name.upper()}"
        sections[limit["section"]].append(
            f"- `{name}` = {limit['value']:,} (`{env}`): {limit['description']}"
        )
    return (
        "## Limits\n\nEach limit answers a 4xx `limit_exceeded` (413 `request_too_large` for "
        "the body) when exceeded; `GET /api/v1/limits` lists them too. Each can be changed "
        "with its environment variable.\n\n"
        f"### Programs\n\n{chr(10).join(sections['programs'])}\n\n"
        f"### Training runs\n\n{chr(10).join(sections['training'])}\n\n"
        "### Connections\n\nA slow or stuck client is answered 408 `request_timeout` and "
        "closed; more connections than the cap get 503 `server_busy`.\n\n"
        f"{chr(10).join(sections['connections'])}\n"
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from `settings` (default: the environment's)."""
    settings = settings or get_settings()
    sys.setswitchinterval(settings.gil_switch_seconds)  # why: Settings.gil_switch_seconds

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.registry = RunRegistry(settings.train, encode_event=sse_event)
        app.state.catalogue = await run_in_threadpool(build_catalogue, settings.train)
        # What start-up built (torch, the app, the catalogue) lives as long as the server: out
        # of the collector's sight, a full collection no longer walks it with the GIL held.
        gc.collect()
        gc.freeze()
        app.state.body_parsers.warm()
        try:
            yield
        finally:
            app.state.registry.close()
            app.state.body_parsers.close()

    app = FastAPIOffline(
        title="Gradplay API",
        version="1",
        description=DESCRIPTION + _errors_markdown() + _limits_markdown(settings),
        default_response_class=StrictJSONResponse,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.body_parsers = BodyParsers(settings.body_parsers)
    install_error_handlers(app)
    app.include_router(graphs.router)
    app.include_router(datasets.router)
    app.include_router(runs.router)
    app.include_router(events.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    install_security(app)  # last added runs first: its headers reach every answer
    return app
