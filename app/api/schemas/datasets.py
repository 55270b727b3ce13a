"""Schemas of the dataset endpoints and of a run's data choice: the dataset and its options,
features, previews (every number says its unit or meaning)."""

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from app.train.features import FEATURE_OPS

if TYPE_CHECKING:
    FeatureOpName = str
else:  # the Literal of FEATURE_OPS's keys: a new op is accepted here without a second list
    FeatureOpName = Literal[tuple(FEATURE_OPS)]


class DatasetChoice(BaseModel):
    """A dataset of the catalogue by name, plus its options (see GET /api/v1/datasets)."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{"name": "spiral", "n_samples": 500}]}
    )

    name: str = Field(description="a dataset of the catalogue, e.g. spiral or thermometer")


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
    of: str | list[str] = Field(
        description="the input column it reads (exact name), or a list for a two-column op"
    )


# A run's feature: a string (a column name, else a legacy spelling) or a FeatureSpec object;
# told apart by the JSON type, so a bad object's error speaks of the object's fields only.
FeatureValue = Annotated[
    Annotated[str, Tag("name")] | Annotated[FeatureSpec, Tag("object")],
    Discriminator(lambda v: "name" if isinstance(v, str) else "object"),
]


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
