"""Graph endpoints: HTTP in, core call, JSON out. No maths here."""

import functools
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from app.api.body import ProgramRoute
from app.api.deps import SettingsDep
from app.api.schemas.graphs import (
    EvaluateRequest,
    EvaluateResponse,
    OpPublic,
    OpsResponse,
    OptimizeRequest,
    OptimizeResponse,
)
from app.api.schemas.optimizers import optimizer_catalogue
from app.api.strict_json import StrictJSONResponse
from app.errors import ErrorType, LimitError
from app.graph.encode import history_entries, named_tensors, node_numbers
from app.graph.engine import Evaluation, evaluate
from app.graph.forward import Clock
from app.graph.ops import OPS
from app.graph.optimize import optimize
from app.graph.optimizers import OPTIMIZERS
from app.graph.program import Program, parse_program
from app.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["graphs"], route_class=ProgramRoute)
INLINE_MAX_CHARS = 400  # programs up to this long, on scalars, are evaluated on the event loop

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "the request body is over the size limit"},
    422: {
        "description": "a problem in the program (with line, column and span) or the request",
        "content": {
            "application/json": {
                "example": {
                    "error": {
                        "type": ErrorType.SYNTAX_ERROR,
                        "message": "a ')' is missing: a parenthesis is opened but never closed.",
                        "line": 1,
                        "column": 11,
                        "span": [10, 11],
                    }
                }
            }
        },
    },
}


@functools.lru_cache(maxsize=256)
def _parse_cached(source: str, max_chars: int, max_statements: int, max_nodes: int) -> Program:
    return parse_program(
        source, max_chars=max_chars, max_statements=max_statements, max_nodes=max_nodes
    )


def _parse(source: str, settings: Settings) -> Program:
    """Parsed programs are kept: a slider drag re-sends the same text with new values."""
    return _parse_cached(
        source, settings.max_source_chars, settings.max_statements, settings.max_nodes
    )


def _evaluation_json(ev: Evaluation) -> dict[str, Any]:
    values, grads, shapes = node_numbers(ev)
    return {
        "output": ev.output,
        "dtype": ev.dtype,
        "seed": ev.seed,
        "nodes": [
            {
                "id": n.id,
                "kind": n.kind,
                "op": n.op,
                "name": n.name,
                "label": n.label,
                "inputs": n.inputs,
                "shape": shape,
                "value": value,
                "grad": grad,
                "span": list(n.span),
            }
            for n, value, grad, shape in zip(ev.program.nodes, values, grads, shapes, strict=True)
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "argument": e.argument,
                "local_grad": e.local_grad,
                "contribution": e.contribution,
            }
            for e in ev.edges
        ],
        "nudge": ev.nudge,
    }


@router.post(
    "/graphs/evaluate",
    response_class=StrictJSONResponse,
    responses={200: {"model": EvaluateResponse}, **ERRORS},
    summary="Evaluate a program: every node's value and gradient",
)
async def evaluate_program(body: EvaluateRequest, settings: SettingsDep) -> StrictJSONResponse:
    """Forward pass, then backward from `output` (seeded with ones when it is a tensor).

    With `nudge`, the input is moved by ε and the output's actual change is compared with the
    change the gradient predicts (`gradient · ε`)."""
    # A short program on numbers takes well under a millisecond: it runs on the event loop
    # (a thread hop would cost more than the work, see bench/). Anything else runs on a worker
    # thread, so one heavy request never stalls another user's page.
    small = len(body.source) <= INLINE_MAX_CHARS and all(
        isinstance(v, int | float) for v in body.values.values()
    )
    if small:
        return _evaluate(body, settings)
    return await run_in_threadpool(_evaluate, body, settings)


def _evaluate(body: EvaluateRequest, settings: Settings) -> StrictJSONResponse:
    clock = Clock(settings.max_eval_seconds)  # parsing and encoding count too
    program = _parse(body.source, settings)
    ev = evaluate(
        program,
        body.values,
        output=body.output,
        dtype=body.dtype,
        limits=settings.evaluation_limits(),
        nudge=body.nudge.model_dump() if body.nudge else None,
        with_edges=body.edge_grads,
        clock=clock,
    )
    return StrictJSONResponse(_evaluation_json(ev))


@router.post(
    "/graphs/optimize",
    response_class=StrictJSONResponse,
    responses={200: {"model": OptimizeResponse}, **ERRORS},
    summary="Run gradient descent on a program",
)
def optimize_program(body: OptimizeRequest, settings: SettingsDep) -> StrictJSONResponse:
    """Each step is the textbook loop: forward, backward, `optimizer.step()` with torch.optim.

    History keeps step 1, every `record_every`-th step and the last one; each entry's `loss` is
    the objective before that step's update."""
    if body.steps > settings.max_optimize_steps:
        raise LimitError(f"steps is {body.steps}; the limit is {settings.max_optimize_steps}")
    entries = body.steps // body.record_every + 2
    if entries > settings.max_history_entries:
        raise LimitError(
            f"{body.steps} steps recorded every {body.record_every} would keep {entries} history "
            f"entries; the limit is {settings.max_history_entries}: raise record_every"
        )
    clock = Clock(settings.max_optimize_seconds, what="the gradient descent")
    program = _parse(body.source, settings)
    limits = settings.evaluation_limits(seconds=settings.max_optimize_seconds)
    result = optimize(
        program,
        body.values,
        params=body.params,
        objective=body.objective,
        steps=body.steps,
        record_every=body.record_every,
        optimizer=body.optimizer.model_dump(exclude_none=True),
        dtype=body.dtype,
        limits=limits,
        max_history_param_elements=settings.max_history_param_elements,
        clock=clock,
    )
    return StrictJSONResponse(
        {
            "status": result.status,
            "steps_run": result.steps_run,
            "loss": result.loss,
            "params": named_tensors(result.params),
            "history": history_entries(result.history),
            "reason": result.reason,
        }
    )


@router.get("/ops", response_model=OpsResponse, summary="The language's operators and functions")
def list_ops(settings: SettingsDep) -> dict[str, Any]:
    """The op table (the one the parser and engine use), the optimizers and every limit."""
    return {
        "ops": [
            OpPublic(
                name=op.name,
                symbol=op.symbol,
                callable=op.callable,
                min_args=op.min_args,
                max_args=op.max_args,
                rule=op.rule,
                doc=op.doc,
            )
            for op in OPS.values()
        ],
        "optimizers": {name: kind.doc for name, kind in OPTIMIZERS.items()},
        "optimizer_settings": optimizer_catalogue(),
        "limits": settings.limits(),
    }


@router.get("/limits", summary="Every limit the server enforces")
def list_limits(settings: SettingsDep) -> dict[str, Any]:
    """Each limit's value and meaning; a request over one gets a 4xx `limit_exceeded` answer."""
    return settings.limits()
