"""The run registry in-process: commands, pacing, caps and clean-up."""

import time
from collections.abc import Callable, Iterator

import pytest

from app.errors import UserError
from app.settings import TrainLimits
from app.train.runs import Pace, Run, RunRegistry
from app.train.trainer import TrainConfig

SPIRAL = TrainConfig(
    dataset={"name": "spiral", "n_samples": 200},
    model={"kind": "mlp", "hidden": [8, 8], "activation": "tanh"},
    optimizer={"name": "adam", "lr": 0.03},
    batch_size=10,
    max_epochs=10_000,
)


@pytest.fixture
def registry() -> Iterator[RunRegistry]:
    # Runs count as abandoned after 0.3 s, but only the tests' own sweep() finds them.
    limits = TrainLimits(max_active_runs=3, abandoned_after_seconds=0.3, sweep_every_seconds=3600)
    reg = RunRegistry(limits)
    yield reg
    for run in reg.runs():
        if run.status in ("running", "paused", "diverged"):
            reg.stop(run.id)
    reg.close()


def wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_pause_step_resume_stop(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)
    wait_for(lambda: run.trainer.step_count > 20)
    registry.pause(run.id)
    wait_for(lambda: registry.settled(run))
    paused_at = run.trainer.step_count
    time.sleep(0.1)
    assert run.trainer.step_count == paused_at and run.status == "paused"
    registry.step(run.id, count=3)
    wait_for(lambda: registry.settled(run) and run.trainer.step_count == paused_at + 3)
    registry.resume(run.id)
    wait_for(lambda: run.trainer.step_count > paused_at + 30)
    registry.stop(run.id)
    wait_for(lambda: registry.settled(run))
    assert run.status == "stopped"
    with pytest.raises(UserError, match="stopped"):
        registry.resume(run.id)


def test_live_lr_change_reaches_the_optimizer(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)
    registry.change(run.id, lr=0.001)
    wait_for(lambda: run.trainer.lr == 0.001)
    assert registry.state(run)["lr"] == 0.001


def test_paced_run_keeps_its_rate(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL, pace=Pace(frames_per_second=20, steps_per_frame=2))
    time.sleep(1.0)
    assert 30 <= run.trainer.step_count <= 46  # 40 steps/s


def test_cap_on_active_runs(registry: RunRegistry) -> None:
    for _ in range(3):
        registry.create(SPIRAL, start=False)
    with pytest.raises(UserError) as err:
        registry.create(SPIRAL)
    assert err.value.type == "limit_exceeded"


def test_abandoned_runs_are_stopped(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)
    time.sleep(0.5)
    registry.sweep()
    assert run.status == "stopped" and "abandoned" in (run.reason or "")


def test_a_paused_run_nobody_touches_is_stopped_by_the_server_itself() -> None:
    reg = RunRegistry(TrainLimits(abandoned_after_seconds=0.3, sweep_every_seconds=0.1))
    try:
        run = reg.create(SPIRAL)
        reg.pause(run.id)
        wait_for(lambda: run.status == "stopped", seconds=10)
        assert "abandoned" in (run.reason or "")
    finally:
        reg.close()


def test_unknown_run_is_not_found(registry: RunRegistry) -> None:
    with pytest.raises(UserError) as err:
        registry.get("nope")
    assert err.value.type == "not_found"


def test_wall_time_cap_stops_a_run() -> None:
    registry = RunRegistry(TrainLimits(max_run_seconds=0.3))
    try:
        run = registry.create(SPIRAL)
        wait_for(lambda: run.status == "stopped")
        assert "0.3 s" in (run.reason or "") and 0.3 <= run.train_seconds < 1.0
    finally:
        registry.close()


def test_finished_runs_are_forgotten() -> None:
    registry = RunRegistry(TrainLimits(keep_finished_seconds=0.0))
    try:
        run = registry.create(SPIRAL, start=False)
        registry.stop(run.id)
        time.sleep(0.01)
        registry.sweep()
        with pytest.raises(UserError):
            registry.get(run.id)
    finally:
        registry.close()


def test_events_tell_the_whole_story_in_order(registry: RunRegistry) -> None:
    config = TrainConfig(
        dataset={"name": "thermometer"},
        model={"kind": "linear", "init": {"w": 1.0, "b": 0.0}},
        optimizer={"name": "sgd", "lr": 1e-2},
        val_fraction=0.0,
    )
    run = registry.create(config)

    def told() -> bool:  # the status event is logged just after run.status changes
        events = run.log.since(0)
        return registry.settled(run) and events[-1].kind == "status" and run.status == "diverged"

    wait_for(told, seconds=30)
    kinds = [e.kind for e in run.log.since(0)]
    assert kinds[0] == "frame" and kinds[1] == "status" and kinds[-1] == "status"
    assert kinds[-2] == "frame" and kinds.count("step") == len(run.history)


def test_pause_and_resume_in_quick_succession_never_strand_a_run(registry: RunRegistry) -> None:
    # Three runs of one architecture train together; a resume that arrives while the worker
    # still holds a run must take effect (it once left the run "running" but never trained).
    runs = [registry.create(SPIRAL) for _ in range(3)]
    for _ in range(20):
        for run in runs:
            registry.pause(run.id)
        for run in runs:
            registry.resume(run.id)
    before = {run.id: run.trainer.step_count for run in runs}
    wait_for(lambda: all(r.trainer.step_count > before[r.id] + 20 for r in runs))


def test_a_full_store_makes_room_by_forgetting_the_longest_ended_run() -> None:
    reg = RunRegistry(TrainLimits(max_stored_runs=2, sweep_every_seconds=3600))
    try:
        first, second = reg.create(SPIRAL), reg.create(SPIRAL)
        reg.stop(first.id)
        reg.stop(second.id)
        third = reg.create(SPIRAL)
        ids = {run.id for run in reg.runs()}
        assert ids == {second.id, third.id}
    finally:
        reg.close()
