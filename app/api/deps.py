"""What routes get from the application: its settings, its run registry and its catalogue,
built once by the app's lifespan (`app.state`), never at import."""

from typing import Annotated, Any

from fastapi import Depends, Request

from app.settings import Settings
from app.train.runs import RunRegistry


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _registry(request: Request) -> RunRegistry:
    registry: RunRegistry = request.app.state.registry
    return registry


def _catalogue(request: Request) -> dict[str, Any]:
    catalogue: dict[str, Any] = request.app.state.catalogue
    return catalogue


SettingsDep = Annotated[Settings, Depends(_settings)]
RegistryDep = Annotated[RunRegistry, Depends(_registry)]
CatalogueDep = Annotated[dict[str, Any], Depends(_catalogue)]
