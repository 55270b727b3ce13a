"""The optimizer schema family, one model per optimizer of the table, shared by
POST /api/v1/graphs/optimize, POST /api/v1/runs and PATCH /api/v1/runs/{id}.

Every model is generated from app/graph/optimizers.py's `SETTINGS` (torch.optim's own
signature defaults and annotations, our bounds), so a wrong hyperparameter is a 422
`invalid_request` naming the field (`optimizer.adam.betas`) before anything runs, and the
OpenAPI docs show each optimizer's settings. An unknown `name` stays `invalid_optimizer`.
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.errors import ErrorType, UserError
from app.graph.optimizers import (
    BOUNDS,
    DEFAULT_LR,
    OPTIMIZERS,
    SETTINGS,
    Bounds,
    Setting,
    settings_problem,
)


def _number(bounds: Bounds, doc: str) -> Any:
    """A finite float within `bounds`; a JSON integer is a float, a boolean or a string is not."""
    return Annotated[
        float,
        Field(
            strict=True,
            allow_inf_nan=False,
            gt=bounds.gt,
            ge=bounds.ge,
            lt=bounds.lt,
            le=bounds.le,
            description=doc,
        ),
    ]


_LR = BOUNDS["lr"]
LearningRate = Annotated[
    float,
    Field(strict=True, allow_inf_nan=False, gt=_LR.gt, le=_LR.le, description=_LR.doc),
]


def _two(value: Any) -> Any:
    """A pair is a list of two (a tuple's own error for [0.9] would say 'betas.1: missing')."""
    if not (isinstance(value, list | tuple) and len(value) == 2):
        raise PydanticCustomError("pair_type", "Input should be two numbers, [a, b]")
    return value


def _field(setting: Setting) -> tuple[Any, Any]:
    doc = setting.bounds.doc
    if setting.type == "bool":
        return StrictBool, Field(setting.default, description=doc)
    if setting.type == "pair":
        element = _number(setting.bounds, doc)
        pair = Annotated[tuple[element, element], BeforeValidator(_two)]  # type: ignore[valid-type]
        return pair, Field(setting.default, description=doc)
    return _number(setting.bounds, doc), Field(setting.default, description=doc)


class OptimizerBase(BaseModel):
    """What every optimizer model shares: no unknown settings, torch's cross-field checks."""

    model_config = ConfigDict(extra="forbid")

    name: str

    @model_validator(mode="after")
    def _torch_checks(self) -> "OptimizerBase":
        problem = settings_problem(self.name, self.model_dump())
        if problem:
            raise ValueError(problem)
        return self


def _model(name: str) -> type[OptimizerBase]:
    fields: dict[str, Any] = {"name": (Literal[name], Field(name, description=f"'{name}'"))}
    fields |= {s.name: _field(s) for s in SETTINGS[name]}
    model = create_model(  # type: ignore[call-overload]
        f"{name.capitalize()}Optimizer",
        __base__=OptimizerBase,
        __doc__=f"{OPTIMIZERS[name].doc} (torch.optim.{OPTIMIZERS[name].cls.__name__}).",
        **fields,
    )
    return model  # type: ignore[no-any-return]


OPTIMIZER_MODELS: dict[str, type[OptimizerBase]] = {name: _model(name) for name in OPTIMIZERS}


def _name_of(value: Any) -> Any:
    """The discriminator: `name`, sgd when it is left out."""
    if isinstance(value, dict):
        return value.get("name", "sgd")
    return getattr(value, "name", None)


def _known_name(value: Any) -> Any:
    """An unknown optimizer is `invalid_optimizer` (as the core says it), not a schema error."""
    name = _name_of(value) if isinstance(value, dict) else None
    if isinstance(value, dict) and not (isinstance(name, str) and name in OPTIMIZERS):
        raise UserError(
            f"unknown optimizer {value.get('name')}; choose one of {', '.join(OPTIMIZERS)}.",
            ErrorType.INVALID_OPTIMIZER,
        )
    return value


# Any optimizer of the table, told apart by `name` (default sgd).
if TYPE_CHECKING:
    Optimizer = OptimizerBase
else:
    Optimizer = Annotated[
        Union[tuple(Annotated[m, Tag(n)] for n, m in OPTIMIZER_MODELS.items())],  # noqa: UP007
        Discriminator(_name_of),
        BeforeValidator(_known_name),
    ]


def default_optimizer() -> OptimizerBase:
    """sgd at lr 0.01, torch's defaults otherwise."""
    return OPTIMIZER_MODELS["sgd"].model_validate({"lr": DEFAULT_LR})


class OptimizerPatch(BaseModel):
    """The optimizer settings that may change while a run goes."""

    model_config = ConfigDict(extra="forbid")

    lr: LearningRate | None = Field(None, description="new learning rate, from the next update")


class OptimizerSettingPublic(BaseModel):
    """One setting of an optimizer, for the catalogue."""

    type: Literal["float", "bool", "pair"] = Field(description="pair: two floats, e.g. betas")
    default: Any
    doc: str
    gt: float | None = Field(None, description="must be above this")
    ge: float | None = Field(None, description="must be at least this")
    lt: float | None = Field(None, description="must be below this")
    le: float | None = Field(None, description="must be at most this")


def optimizer_catalogue() -> dict[str, dict[str, OptimizerSettingPublic]]:
    """Each optimizer's settings with their defaults and bounds (lr first)."""
    return {
        name: {
            s.name: OptimizerSettingPublic(
                type=s.type,
                default=s.default,
                doc=s.bounds.doc,
                gt=s.bounds.gt,
                ge=s.bounds.ge,
                lt=s.bounds.lt,
                le=s.bounds.le,
            )
            for s in settings
        }
        for name, settings in SETTINGS.items()
    }
