"""What routes get from the application: its settings, its run registry and its catalogue,
built once by the app's lifespan (`app.state`), never at import; and who the caller is, with
the runs it may steer (the rights themselves are in app/api/access.py)."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.access import Caller, caller_from, require
from app.settings import Settings
from app.train.run import Run
from app.train.runs import RunRegistry

# Declares the scheme in the OpenAPI document (Swagger's "Authorize" button); the header itself
# is read by `caller_from`, which also tells a malformed header from none.
run_token = HTTPBearer(
    auto_error=False,
    scheme_name="runToken",
    description="the `token` a run's creation (POST /api/v1/runs) answered: steering a run "
    "needs it; creating a run with it keeps the same owner",
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _registry(request: Request) -> RunRegistry:
    registry: RunRegistry = request.app.state.registry
    return registry


def _catalogue(request: Request) -> dict[str, Any]:
    catalogue: dict[str, Any] = request.app.state.catalogue
    return catalogue


async def _caller(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(run_token)],
) -> Caller:
    return caller_from(request.headers.get("authorization"))


SettingsDep = Annotated[Settings, Depends(_settings)]
RegistryDep = Annotated[RunRegistry, Depends(_registry)]
CatalogueDep = Annotated[dict[str, Any], Depends(_catalogue)]
CallerDep = Annotated[Caller, Depends(_caller)]


async def _steered_run(run_id: str, registry: RegistryDep, caller: CallerDep) -> Run:
    run = registry.get(run_id)  # 404 for an unknown run comes first
    require(caller, "steer", run)
    return run


SteeredRunDep = Annotated[Run, Depends(_steered_run)]
"""The run of the path, when the caller may steer it (404, then 403 `forbidden`)."""
