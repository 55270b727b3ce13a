"""The optimizer table and the schema built from it, against torch.optim itself: every default
builds the real optimizer with torch's own defaults, and whatever the schema accepts, torch
accepts too (the bounds are never looser than torch's checks)."""

import inspect
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.schemas.optimizers import OPTIMIZER_MODELS
from app.graph.optimizers import OPTIMIZERS, SETTINGS, Setting, make_optimizer
from app.train.optimizers import build_optimizer


def _settings_only(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "name"}


def _params() -> list[torch.Tensor]:
    return [torch.zeros(3, requires_grad=True)]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_defaults_build_the_real_torch_optimizer_with_torchs_defaults(name: str) -> None:
    chosen = OPTIMIZER_MODELS[name].model_validate({"name": name}).model_dump()
    kind = OPTIMIZERS[name]
    signature = inspect.signature(kind.cls.__init__).parameters
    for built in (
        make_optimizer(name, _params(), _settings_only(chosen)),
        build_optimizer(_params(), chosen),  # type: ignore[arg-type]
    ):
        assert type(built) is kind.cls
        group = built.param_groups[0]
        assert group["lr"] == 0.01
        for setting in kind.settings:
            want = kind.defaults.get(setting, signature[setting].default)
            assert group[setting] == want, setting
        for setting, value in kind.defaults.items():
            assert group[setting] == value


def _value(setting: Setting) -> st.SearchStrategy[Any]:
    if setting.type == "bool":
        return st.booleans()
    b = setting.bounds
    low = b.gt if b.gt is not None else b.ge
    high = b.lt if b.lt is not None else b.le
    number = st.floats(
        min_value=low if low is not None else 0.0,
        max_value=high if high is not None else 1e6,
        exclude_min=b.gt is not None,
        exclude_max=b.lt is not None,
        allow_nan=False,
    )
    return st.tuples(number, number) if setting.type == "pair" else number


@st.composite
def accepted_settings(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(list(OPTIMIZERS)))
    chosen = {s.name: draw(_value(s)) for s in SETTINGS[name] if draw(st.booleans())}
    return name, chosen


@settings(max_examples=300, deadline=None)
@given(accepted_settings())
def test_what_the_schema_accepts_torch_accepts(case: tuple[str, dict[str, Any]]) -> None:
    name, chosen = case
    model = OPTIMIZER_MODELS[name]
    try:
        validated = model.model_validate({"name": name, **chosen}).model_dump()
    except ValueError as exc:  # only the cross-field check may refuse values within bounds
        assert "Nesterov" in str(exc)
        return
    built = make_optimizer(name, _params(), _settings_only(validated))
    assert type(built) is OPTIMIZERS[name].cls
    assert built.param_groups[0]["lr"] == validated["lr"]
