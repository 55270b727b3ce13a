"""Schemas of the dataset endpoints and of a run's data choice: the dataset and its options,
features, previews (every number says its unit or meaning)."""

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
)
from pydantic_core import PydanticCustomError

from app.errors import ErrorType, UserError
from app.settings import get_settings
from app.train import datasets as ds
from app.train.features import FEATURE_OPS

if TYPE_CHECKING:
    FeatureOpName = str
else:  # the Literal of FEATURE_OPS's keys: a new op is accepted here without a second list
    FeatureOpName = Literal[tuple(FEATURE_OPS)]

# The schemas' bounds are the environment's limits, the ones `python -m app` serves with (an
# app built with other settings is held to its own by the core's checks as well).
LIMITS = get_settings().train


def at_most(limit: str) -> AfterValidator:
    """A number no larger than the TrainLimits field `limit` (a limit_exceeded error)."""

    def check(value: float) -> float:
        maximum = getattr(LIMITS, limit)
        if value > maximum:
            raise PydanticCustomError(
                ErrorType.LIMIT_EXCEEDED.value,
                "Input should be at most {maximum} (the limit {limit})",
                {"maximum": maximum, "limit": limit},
            )
        return value

    return AfterValidator(check)


def count_at_most(limit: str, unit: str = "items") -> BeforeValidator:
    """A list or a text no longer than the TrainLimits field `limit` (items or characters),
    counted before a single item is validated (a limit_exceeded error)."""

    def check(value: Any) -> Any:
        maximum = getattr(LIMITS, limit)
        if isinstance(value, list | str) and len(value) > maximum:
            raise PydanticCustomError(
                ErrorType.LIMIT_EXCEEDED.value,
                "{count} {unit}; the limit {limit} is {maximum}",
                {"count": len(value), "unit": unit, "maximum": maximum, "limit": limit},
            )
        return value

    return BeforeValidator(check)


# A number where a range is stated: finite (NaN slips through every comparison), and a JSON
# number only (no "3", "NaN" or true).
FiniteFloat = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def _csv_bytes(text: str) -> str:
    size = len(text.encode())  # after the length check: at most 4 bytes a character
    if size > LIMITS.max_csv_bytes:
        raise PydanticCustomError(
            ErrorType.LIMIT_EXCEEDED.value,
            "the CSV is {size} bytes; the limit max_csv_bytes is {maximum}",
            {"size": size, "maximum": LIMITS.max_csv_bytes},
        )
    return text


def _option(key: str, param: ds.Param) -> tuple[Any, Any]:
    """The type and field of one dataset option, from its Param of the table."""
    limit = param.maximum if isinstance(param.maximum, str) else None
    shown = ds.bound(param, LIMITS)
    size = int(shown) if shown is not None else None
    # A bound that is a limit is checked by at_most/count_at_most (a limit_exceeded error).
    bounds: dict[str, Any] = {"ge": param.minimum, "le": None if limit else param.maximum}
    documented: dict[str, Any] = {"maximum": shown} if limit else {}
    field = Field(param.default, description=param.doc, json_schema_extra=documented or None)
    if param.kind in ("int", "float"):
        number = int if param.kind == "int" else float
        checks: list[Any] = [at_most(limit)] if limit else []
        strict = Field(strict=True, allow_inf_nan=False, **bounds)
        return Annotated[number, strict, *checks], field  # type: ignore[valid-type]
    if param.kind == "choice":
        return Literal[param.choices], field
    if param.kind == "text":
        checks = [count_at_most(limit, "characters")] if limit else []
        if key == "text":
            checks.append(AfterValidator(_csv_bytes))
        return Annotated[str, Field(strict=True, max_length=size), *checks], field
    # points: rows of [x1, x2, label], each a finite number
    row = Annotated[list[FiniteFloat], Field(min_length=3, max_length=3)]
    checks = [count_at_most(limit, "points")] if limit else []
    return Annotated[list[row], Field(max_length=size), *checks], field  # type: ignore[valid-type]


class DatasetBase(BaseModel):
    """What every dataset choice shares: a name of the table, no options it does not have."""

    model_config = ConfigDict(extra="forbid")

    name: str


def _dataset_model(name: str, spec: ds.DatasetSpec) -> type[DatasetBase]:
    fields: dict[str, Any] = {"name": (Literal[name], Field(description=f"'{name}'"))}
    fields |= {key: _option(key, param) for key, param in spec.params.items()}
    model = create_model(  # type: ignore[call-overload]
        "".join(part.capitalize() for part in name.split("_")) + "Dataset",
        __base__=DatasetBase,
        __doc__=spec.doc.strip().splitlines()[0] if spec.doc.strip() else name,
        **fields,
    )
    return model  # type: ignore[no-any-return]


# The model of each dataset of the table, built once per table entry (an entry added at run
# time, as a test or a plugin may, gets its model on first use).
_BUILT: dict[str, tuple[ds.DatasetSpec, type[DatasetBase]]] = {}


def dataset_model(name: str) -> type[DatasetBase]:
    """The request model of the dataset `name` of the table DATASETS."""
    spec = ds.DATASETS[name]
    built = _BUILT.get(name)
    if built is None or built[0] is not spec:
        built = _BUILT[name] = (spec, _dataset_model(name, spec))
    return built[1]


DATASET_MODELS: dict[str, type[DatasetBase]] = {name: dataset_model(name) for name in ds.DATASETS}


def _dataset_name(value: Any) -> Any:
    """The discriminator of the documented union: `name`."""
    return value.get("name") if isinstance(value, dict) else getattr(value, "name", None)


def _validate_dataset(value: Any, _: ValidatorFunctionWrapHandler) -> DatasetBase:
    """The dataset's own model validates its options, read from the table as it is now; an
    unknown dataset is `dataset_error` (as the core says it), not a schema error."""
    if isinstance(value, DatasetBase):
        return value
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "dataset_type", "Input should be an object: {{name, and that dataset's options}}"
        )
    name = value.get("name")
    if not isinstance(name, str) or name not in ds.DATASETS:
        raise UserError(
            f"unknown dataset {str(name)[:40]!r}; choose one of {', '.join(ds.DATASETS)}",
            ErrorType.DATASET_ERROR,
        )
    return dataset_model(name).model_validate(value)


# A dataset of the catalogue by name, plus its options (see GET /api/v1/datasets), each typed
# and bounded as the table DATASETS says. The docs show the union of the datasets' models, told
# apart by `name`; validation picks the model by `name` (errors read `dataset.noise`).
if TYPE_CHECKING:
    DatasetChoice = DatasetBase
else:
    DatasetChoice = Annotated[
        Union[tuple(Annotated[m, Tag(n)] for n, m in DATASET_MODELS.items())],  # noqa: UP007
        Discriminator(_dataset_name),
        WrapValidator(_validate_dataset),
        Field(json_schema_extra={"examples": [{"name": "spiral", "n_samples": 500}]}),
    ]


# A column's name: a CSV header cell at most, so no longer than the CSV.
ColumnName = Annotated[str, Field(strict=True, max_length=LIMITS.max_csv_bytes)]


def by_json_type(single: Any, many: Any) -> WrapValidator:
    """Validate a list as `many`, anything else as `single`: picked by the JSON type, so the
    error speaks of that shape only (`features.0.of`, not each member of a union)."""
    one, lists = TypeAdapter(single), TypeAdapter(many)

    def validate(value: Any, _: ValidatorFunctionWrapHandler) -> Any:
        return (lists if isinstance(value, list) else one).validate_python(value)

    return WrapValidator(validate)


ColumnPair = Annotated[list[ColumnName], Field(min_length=1, max_length=2)]
# One column name, or a list for a two-column op; the docs show the union.
ColumnNames = Annotated[ColumnName | ColumnPair, by_json_type(ColumnName, ColumnPair)]


class FeatureSpec(BaseModel):
    """A feature as an object: an op of the feature table applied to input column(s)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"op": "square", "of": "x1"},
                {"op": "product", "of": ["x1", "x2"]},
                {"op": "sin", "of": "temp (F)"},
            ]
        },
    )

    op: FeatureOpName = Field(
        description="; ".join(f"{name}: {op.doc}" for name, op in FEATURE_OPS.items())
    )
    of: ColumnNames = Field(
        description="the input column it reads (exact name), or a list for a two-column op"
    )


def _validate_feature(value: Any, _: ValidatorFunctionWrapHandler) -> str | FeatureSpec:
    """A string is a column name, anything else must be a FeatureSpec object; picked by the
    JSON type, so a bad object's error speaks of its own fields (`features.0.op`)."""
    if isinstance(value, FeatureSpec):
        return value
    if isinstance(value, dict):
        return FeatureSpec.model_validate(value)
    return _COLUMN_NAME.validate_python(value)


_COLUMN_NAME: TypeAdapter[str] = TypeAdapter(ColumnName)


# A run's feature: a string (a column name, else a legacy spelling) or a FeatureSpec object;
# the docs show the union.
FeatureValue = Annotated[ColumnName | FeatureSpec, WrapValidator(_validate_feature)]


class FeatureOption(BaseModel):
    """One feature the page may offer: how it reads, and the value a run request gives for it."""

    label: str = Field(description="e.g. x1² or sin temp (F)")
    value: FeatureValue = Field(description="a column name, or a {op, of} object")


class DatasetPreview(BaseModel):
    """Ask for a dataset's points (to draw them before training)."""

    model_config = ConfigDict(extra="forbid")

    dataset: DatasetChoice
    val_fraction: float = Field(0.2, ge=0, lt=1, description="share of rows held out")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seed of the split")


class PointsPublic(BaseModel):
    """Points in the units of the data, split into training and validation rows."""

    model_config = ConfigDict(ser_json_inf_nan="strings")  # "NaN", "Infinity": strict JSON

    input_names: list[str]
    target_names: list[str]
    task: Literal["regression", "classification"]
    n_classes: int
    features: list[str] = Field(description="every feature this dataset offers (legacy strings)")
    feature_options: list[FeatureOption] = Field(
        description="every feature this dataset offers, in the page's order: label and the "
        "value to send in a run's features"
    )
    train: dict[str, list[Any]] = Field(description="{x: rows of inputs, y: targets}")
    val: dict[str, list[Any]]
    unknown: list[list[float]] = Field(description="rows whose target is to be predicted")
