"""Training-run endpoints: HTTP in, core call, JSON out. No maths here."""

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.api import access
from app.api.body import DataRoute
from app.api.deps import CallerDep, RegistryDep, SettingsDep, SteeredRunDep
from app.api.history import history_page
from app.api.off_loop import answer_off_loop
from app.api.schemas.access import RunCreated, RunList
from app.api.schemas.datasets import PointsPublic
from app.api.schemas.events import LandscapeSurface
from app.api.schemas.pages import HistoryPage
from app.api.schemas.runs import (
    RunCreate,
    RunPatch,
    RunPublic,
    StepRequest,
)
from app.api.strict_json import StrictJSONResponse
from app.errors import ErrorType, LimitError
from app.train.runs import Pace, Run, RunRegistry
from app.train.trainer import TrainConfig

router = APIRouter(prefix="/api/v1", tags=["training"], route_class=DataRoute)


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such run"},
    422: {
        "description": "a bad configuration, a mismatch (e.g. BCE on an unbounded output) or "
        "a limit",
        "content": {
            "application/json": {
                "example": {
                    "error": {
                        "type": ErrorType.LOSS_MISMATCH,
                        "message": "bce expects a probability between 0 and 1 (a sigmoid "
                        "output), but the model's output is any real number …",
                    }
                }
            }
        },
    },
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "no token, or not this run's token (`Authorization: Bearer <token>`)",
        "content": {
            "application/json": {
                "example": {
                    "error": {
                        "type": ErrorType.FORBIDDEN,
                        "message": "only the run's owner may steer run 3f2a9c0d41b7: send the "
                        "token its creation answered, as `Authorization: Bearer <token>`",
                    }
                }
            }
        },
    }
}
STEERING = {**ERRORS, **FORBIDDEN}  # a steering command's errors: 404, then 403, then 422


def _public(registry: RunRegistry, run: Run, state: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's answer: `state` (default: its latest snapshot) and its configuration."""
    config = run.config
    return {
        **(registry.state(run) if state is None else state),
        "config": {
            "dataset": {k: v for k, v in config.dataset.items() if k != "text"},
            "model": config.model,
            "features": config.features,
            "val_fraction": config.val_fraction,
            "normalize": config.normalize,
            "loss": config.loss,
            "regularization": config.regularization,
            "optimizer": config.optimizer,
            "batch_size": config.batch_size,
            "max_epochs": config.max_epochs,
            "seed": config.seed,
            "target_loss": config.target_loss,
        },
    }


# --- runs ------------------------------------------------------------------------------------


def _create(body: RunCreate, registry: RunRegistry, owner: str) -> Run:
    config = TrainConfig(
        dataset=body.dataset.model_dump(),
        model=body.model.model_dump(),
        features=body.model_dump(include={"features"})["features"],  # plain values
        val_fraction=body.val_fraction,
        normalize=(
            body.normalize.model_dump() if isinstance(body.normalize, BaseModel) else body.normalize
        ),
        loss=body.loss,
        regularization=body.regularization.model_dump() if body.regularization else None,
        optimizer=body.optimizer.model_dump(),
        batch_size=body.batch_size,
        max_epochs=body.max_epochs,
        seed=body.seed,
        target_loss=body.target_loss,
        grid_resolution=body.grid_resolution,
        overfit_patience=body.overfit_patience,
        divergence_factor=body.divergence_factor,
        explode_factor=body.explode_factor,
    )
    pace = Pace(frames_per_second=body.frames_per_second, steps_per_frame=body.steps_per_frame)
    return registry.create(config, pace=pace, start=body.start, owner=owner)


@router.post(
    "/runs",
    status_code=201,
    response_model=RunCreated,
    responses={**ERRORS, **FORBIDDEN},
    summary="Start a run",
)
async def create_run(
    body: RunCreate, registry: RegistryDep, caller: CallerDep
) -> StrictJSONResponse:
    """Build the data, model and optimizer, and start training in a worker thread. The answer
    carries the run's `token` (the only answer that does): steering the run needs it. Send a
    token this server issued as `Authorization: Bearer <token>` and the new run belongs to it
    too (403 for a malformed or unknown token)."""
    token, owner = access.creator(caller, registry)
    run = await run_in_threadpool(_create, body, registry, owner)
    return StrictJSONResponse({**_public(registry, run), "token": token}, status_code=201)


@router.get("/runs", response_model=RunList, summary="The caller's runs")
async def list_runs(registry: RegistryDep, caller: CallerDep) -> StrictJSONResponse:
    """The runs the caller's token (`Authorization: Bearer <token>`) created that the server
    still holds, oldest first; none without a token."""
    mine = access.listed(caller, registry.runs())
    states = [registry.state(r) for r in mine]
    return StrictJSONResponse(
        {"runs": [{k: s[k] for k in ("id", "status", "epoch", "step")} for s in states]}
    )


@router.get("/runs/{run_id}", response_model=RunPublic, responses=ERRORS, summary="A run's state")
async def get_run(run_id: str, registry: RegistryDep) -> StrictJSONResponse:
    """Status, reason, epoch, step, configuration and the latest metrics."""
    return StrictJSONResponse(_public(registry, registry.get(run_id)))


@router.get(
    "/runs/{run_id}/history", response_model=HistoryPage, responses=ERRORS, summary="History"
)
async def get_history(
    run_id: str,
    registry: RegistryDep,
    settings: SettingsDep,
    since: Annotated[int | None, Query(ge=0, description="only epochs after this one")] = None,
    since_epoch: Annotated[int, Query(ge=0, description="the same as `since` (older name)")] = 0,
    limit: Annotated[
        int | None,
        Query(ge=1, description="entries in this page; default and maximum: max_history_page"),
    ] = None,
) -> Response:
    """One entry per epoch; `train_loss` is the mean of the losses computed before its updates.
    `next` is the `since` of the following page when `limit` cut this one."""
    page_size = settings.max_history_page if limit is None else limit
    if page_size > settings.max_history_page:
        raise LimitError(f"limit is {page_size}; the limit is {settings.max_history_page}")
    run = registry.get(run_id)
    start = since_epoch if since is None else since
    # Encoded on a worker thread from cached blocks: the event loop only sends the bytes.
    body = await run_in_threadpool(history_page, run, start, page_size, settings.history_block)
    return Response(body, media_type="application/json")


@router.get(
    "/runs/{run_id}/data", response_model=PointsPublic, responses=ERRORS, summary="A run's points"
)
async def get_run_data(run_id: str, registry: RegistryDep) -> StrictJSONResponse:
    """The run's training and validation points in the data's units."""
    run = registry.get(run_id)
    return await answer_off_loop(registry.points, run)


@router.get("/runs/{run_id}/program", responses=ERRORS, summary="The model as a Graph lab program")
async def get_run_program(run_id: str, registry: RegistryDep) -> dict[str, Any]:
    """The latest update's forward pass as a program with its values: POST it to
    /api/v1/graphs/evaluate to see every node's value and gradient."""
    run = registry.get(run_id)
    return await run_in_threadpool(registry.program, run)


@router.post("/runs/{run_id}/pause", response_model=RunPublic, responses=STEERING)
async def pause_run(run: SteeredRunDep, registry: RegistryDep) -> StrictJSONResponse:
    """Pause after the current update; single steps still to do are cancelled (owner only)."""
    state = await run_in_threadpool(registry.pause, run.id)
    return StrictJSONResponse(_public(registry, run, state))


@router.post("/runs/{run_id}/resume", response_model=RunPublic, responses=STEERING)
async def resume_run(run: SteeredRunDep, registry: RegistryDep) -> StrictJSONResponse:
    """Resume a paused run (or a diverged one whose parameters are still finite; owner only)."""
    state = await run_in_threadpool(registry.resume, run.id)
    return StrictJSONResponse(_public(registry, run, state))


@router.post("/runs/{run_id}/step", response_model=RunPublic, responses=STEERING)
async def step_run(
    run: SteeredRunDep,
    registry: RegistryDep,
    body: Annotated[StepRequest | None, Body()] = None,
) -> StrictJSONResponse:
    """Perform `count` more updates (default 1) of a paused run; it stays paused (owner
    only)."""
    count = (body or StepRequest()).count
    state = await run_in_threadpool(registry.step, run.id, count=count)
    return StrictJSONResponse(_public(registry, run, state))


@router.post("/runs/{run_id}/stop", response_model=RunPublic, responses=STEERING)
async def stop_run(run: SteeredRunDep, registry: RegistryDep) -> StrictJSONResponse:
    """End the run for good; it stays readable (owner only)."""
    state = await run_in_threadpool(registry.stop, run.id)
    return StrictJSONResponse(_public(registry, run, state))


@router.delete(
    "/runs/{run_id}",
    status_code=204,
    response_class=Response,
    responses=STEERING,
    summary="Stop and forget a run",
)
async def delete_run(run: SteeredRunDep, registry: RegistryDep) -> Response:
    """Stop the run if it has not ended and forget it: its id answers 404 from now (owner
    only)."""
    await run_in_threadpool(registry.delete, run.id)
    return Response(status_code=204)


@router.patch(
    "/runs/{run_id}", response_model=RunPublic, responses=STEERING, summary="Live changes"
)
async def patch_run(
    run: SteeredRunDep, registry: RegistryDep, body: RunPatch
) -> StrictJSONResponse:
    """Change the learning rate (from the next update), batch size (next epoch) or pace (now;
    owner only)."""
    lr = body.lr if body.optimizer is None or body.optimizer.lr is None else body.optimizer.lr
    given = body.model_fields_set
    changed = await run_in_threadpool(
        functools.partial(
            registry.change,
            run.id,
            lr=lr,
            batch_size=(body.batch_size,) if "batch_size" in given else None,
            frames_per_second=body.frames_per_second,
            steps_per_frame=(body.steps_per_frame,) if "steps_per_frame" in given else None,
        )
    )
    return StrictJSONResponse(_public(registry, run, changed))


@router.get(
    "/runs/{run_id}/landscape",
    response_model=LandscapeSurface,
    responses=ERRORS,
    summary="The loss surface of a two-parameter run",
)
async def get_landscape(run_id: str, registry: RegistryDep) -> StrictJSONResponse:
    """The training objective over the (w, b) grid that the frames' `landscape` refers to,
    computed once; fetch it again when a frame's `landscape.version` changes. A run whose model
    is not a two-parameter one (a linear model on one input) answers 422 `run_state`."""
    # The surface reads only the run's fixed training rows (never its moving parameters), so it
    # is the one trainer read that needs no turn of the worker.
    trainer = registry.get(run_id).trainer
    return await answer_off_loop(trainer.landscape_surface)
