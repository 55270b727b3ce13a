"""Every setting and every limit is documented: in the settings, the API docs and the README."""

from pathlib import Path

import pytest

from app.errors import ErrorType
from app.main import create_app
from app.settings import Settings, TrainLimits

ROOT = Path(__file__).resolve().parents[1]
LIMITS = [name for name in Settings.model_fields if name.startswith("max_")]


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_has_a_description(name: str) -> None:
    assert name in ("host", "port") or Settings.model_fields[name].description


@pytest.mark.parametrize("name", LIMITS)
def test_every_limit_is_in_the_api_docs(name: str) -> None:
    description = create_app().openapi()["info"]["description"]
    assert f"`{name}`" in description


@pytest.mark.parametrize("name", LIMITS)
def test_every_limit_is_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text()
    described = Settings.model_fields[name].description or ""
    assert f"| {described}" in readme, f"README's limits table lacks {name}"
    assert f"GRADPLAY_{name.upper()}" in readme


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "scripts/serve" in readme and "scripts/test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test" in ci


@pytest.mark.parametrize("name", list(TrainLimits.model_fields))
def test_every_training_limit_is_in_the_api_docs_and_the_readme(name: str) -> None:
    description = create_app().openapi()["info"]["description"]
    assert f"`{name}`" in description
    assert f"GRADPLAY_TRAIN_{name.upper()}" in description
    doc = TrainLimits.model_fields[name].description
    assert f"| {doc} | `{name}` |" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("error_type", list(ErrorType))
def test_every_error_type_is_in_the_api_docs(error_type: ErrorType) -> None:
    description = create_app().openapi()["info"]["description"]
    assert f"| `{error_type}` | {error_type.status} | {error_type.doc} |" in description
