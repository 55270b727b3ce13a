"""Dataset endpoints: the catalogue, a dataset's points, a CSV check. HTTP in, core call, JSON
out; no maths here."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.body import DataRoute
from app.api.deps import CatalogueDep, SettingsDep
from app.api.off_loop import answer_off_loop
from app.api.routes.runs import ERRORS
from app.api.schemas.datasets import DatasetPreview, PointsPublic
from app.api.strict_json import StrictJSONResponse
from app.errors import ErrorType, LimitError, UserError
from app.settings import TrainLimits
from app.train import datasets as ds

router = APIRouter(prefix="/api/v1", tags=["training"], route_class=DataRoute)


@router.get("/datasets", summary="Catalogue: datasets, models, losses, optimizers and limits")
async def datasets_catalogue(catalogue: CatalogueDep) -> dict[str, Any]:
    """Every dataset with its options and bounds, every model, loss and optimizer, every limit."""
    return catalogue


def _preview(body: DatasetPreview, limits: TrainLimits) -> dict[str, Any]:
    choice = body.dataset.model_dump()
    data = ds.make_dataset(choice.pop("name"), choice, limits)
    train, val = ds.split_indices(n=len(data.x), val_fraction=body.val_fraction, seed=body.seed)
    return ds.describe_points(data, train_idx=train, val_idx=val)


@router.post(
    "/datasets/preview", response_model=PointsPublic, responses=ERRORS, summary="A dataset's points"
)
async def preview_dataset(body: DatasetPreview, settings: SettingsDep) -> StrictJSONResponse:
    """The points of a dataset (and its split), to draw before training."""
    return await answer_off_loop(_preview, body, settings.train)


@router.post(
    "/datasets/csv",
    response_model=PointsPublic,
    responses=ERRORS,
    summary="Check an uploaded CSV",
    openapi_extra={
        "requestBody": {
            "content": {"text/csv": {"example": "x1,x2,y\n2,8,5\n9,2,6\n4,3,?\n"}},
            "required": True,
        }
    },
)
async def upload_csv(
    request: Request,
    settings: SettingsDep,
    target: Annotated[
        str, Query(max_length=1_000, description="column to predict; default the last")
    ] = "",
    task: Annotated[
        Literal["auto", "regression", "classification"],
        Query(description="auto, regression or classification"),
    ] = "auto",
) -> StrictJSONResponse:
    """Validate a CSV (the body, as text/csv) and answer its points, or one error per bad row.

    To train on it, create a run with `{"dataset": {"name": "csv", "text": <the CSV>}}`."""
    raw = await request.body()
    if len(raw) > settings.train.max_csv_bytes:
        raise LimitError(f"the CSV is larger than {settings.train.max_csv_bytes} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError("the CSV is not UTF-8 text", ErrorType.CSV_ERROR) from exc
    options = {"text": text, "target": target, "task": task}
    try:  # the same typed options as a run's CSV (a field's error names the field)
        body = DatasetPreview.model_validate(
            {"dataset": {"name": "csv", **options}, "val_fraction": 0}
        )
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(), body=options) from None
    return await answer_off_loop(_preview, body, settings.train)
