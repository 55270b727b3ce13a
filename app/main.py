"""The FastAPI application: pages, the JSON API, static files and offline API docs."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from app.api.errors import BodySizeLimit, install_error_handlers
from app.api.routes import graphs, pages, runs
from app.api.strict_json import StrictJSONResponse
from app.settings import settings
from app.train.limits import LIMITS as TRAIN_LIMITS

ROOT = Path(__file__).resolve().parents[1]

DESCRIPTION = """
Gradplay computes with real PyTorch autograd. Every answer is strict JSON: non-finite numbers
are the strings `"NaN"`, `"Infinity"` and `"-Infinity"`. Every 4xx answer has the shape
`{"error": {"type": str, "message": str}}`, plus `line`, `column` (1-based) and `span`
(`[start, end)`, 0-based) when the problem is in the program text.

## Limits

Each limit answers a 4xx `limit_exceeded` (413 `request_too_large` for the body) when
exceeded; `GET /api/v1/limits` lists them too. Each can be changed with its `GRADPLAY_*`
environment variable.

"""


def _limits_markdown() -> str:
    fields = type(settings).model_fields
    graph = "\n".join(
        f"- `{name}` = {getattr(settings, name):,}: {field.description}"
        for name, field in fields.items()
        if name.startswith("max_")
    )
    runs = "\n".join(
        f"- `{name}` = {limit['value']:,}: {limit['doc']}"
        for name, limit in TRAIN_LIMITS.describe().items()
    )
    return f"### Programs\n\n{graph}\n\n### Training runs\n\n{runs}\n"


def create_app() -> FastAPI:
    """Build the application."""
    app = FastAPIOffline(
        title="Gradplay API",
        version="1",
        description=DESCRIPTION + _limits_markdown(),
        default_response_class=StrictJSONResponse,
    )
    install_error_handlers(app)
    app.include_router(graphs.router)
    app.include_router(runs.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    return app


app = create_app()
