"""The run registry in-process: commands, pacing, caps and clean-up."""

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import torch

from app.api.sse import sse_event
from app.errors import UserError
from app.settings import TrainLimits
from app.train.commands import Command
from app.train.runs import Pace, Run, RunRegistry
from app.train.trainer import TrainConfig, Trainer

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
    reg = RunRegistry(limits, encode_event=sse_event)
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


def holds_for(check: Callable[[], bool], seconds: float) -> None:
    """`check` stays true for the whole of `seconds` (polled)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert check()
        time.sleep(0.01)


def test_pause_step_resume_stop(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)
    wait_for(lambda: run.trainer.step_count > 20)
    registry.pause(run.id)
    assert run.status == "paused"  # the worker applied the pause before answering
    wait_for(lambda: registry.settled(run))
    paused_at = run.trainer.step_count
    holds_for(lambda: run.trainer.step_count == paused_at and run.status == "paused", 0.1)
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
    started = time.monotonic()
    wait_for(lambda: run.trainer.step_count >= 40)
    # 40 steps/s: 2 at once, then 2 per tick; never faster, and slower only on a loaded machine
    assert 0.8 <= time.monotonic() - started <= 2.5


def test_cap_on_active_runs(registry: RunRegistry) -> None:
    for _ in range(3):
        registry.create(SPIRAL, start=False)
    with pytest.raises(UserError) as err:
        registry.create(SPIRAL)
    assert err.value.type == "limit_exceeded"


def test_abandoned_runs_are_stopped(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)

    def swept() -> bool:
        registry.sweep()  # waits for the worker to apply what it finds
        return run.status == "stopped"

    wait_for(swept)
    assert "abandoned" in (run.reason or "")
    assert (run.ended or 0.0) - run.last_seen >= 0.3  # only after 0.3 s without a look


def test_a_paused_run_nobody_touches_is_stopped_by_the_server_itself() -> None:
    reg = RunRegistry(
        TrainLimits(abandoned_after_seconds=0.3, sweep_every_seconds=0.1), encode_event=sse_event
    )
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
    registry = RunRegistry(TrainLimits(max_run_seconds=0.3), encode_event=sse_event)
    try:
        run = registry.create(SPIRAL)
        wait_for(lambda: run.status == "stopped")
        assert "0.3 s" in (run.reason or "") and 0.3 <= run.train_seconds < 1.0
    finally:
        registry.close()


def test_finished_runs_are_forgotten() -> None:
    registry = RunRegistry(TrainLimits(keep_finished_seconds=0.0), encode_event=sse_event)
    try:
        run = registry.create(SPIRAL, start=False)
        registry.stop(run.id)
        assert run.status == "stopped"

        def forgotten() -> bool:
            registry.sweep()
            return run.id not in {r.id for r in registry.runs()}

        wait_for(forgotten)
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
    reg = RunRegistry(
        TrainLimits(max_stored_runs=2, sweep_every_seconds=3600), encode_event=sse_event
    )
    try:
        first, second = reg.create(SPIRAL), reg.create(SPIRAL)
        reg.stop(first.id)
        reg.stop(second.id)
        third = reg.create(SPIRAL)
        ids = {run.id for run in reg.runs()}
        assert ids == {second.id, third.id}
    finally:
        reg.close()


def test_stopping_a_paused_run_draws_its_last_frame_on_the_worker(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL, start=False)
    drawn_on: list[str] = []
    frame = run.trainer.frame

    def recording_frame() -> dict[str, object]:
        drawn_on.append(threading.current_thread().name)
        return frame()

    run.trainer.frame = recording_frame  # type: ignore[method-assign]
    registry.stop(run.id)
    assert run.status == "stopped" and registry.state(run)["status"] == "stopped"
    assert drawn_on and all(name.startswith("train-") for name in drawn_on), drawn_on
    kinds = [e.kind for e in run.log.since(0)]
    assert kinds[-2:] == ["frame", "status"]


def test_steering_from_many_clients_leaves_a_paused_run_still(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)
    commands: list[Callable[[], object]] = [
        lambda: registry.pause(run.id),
        lambda: registry.step(run.id, count=random.randint(1, 5)),
        lambda: registry.resume(run.id),
        lambda: registry.pause(run.id),
    ]

    def client(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(40):
            try:
                rng.choice(commands)()
            except UserError as exc:  # stepping a running run, resuming a running one
                assert exc.type == "run_state"

    clients = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    registry.pause(run.id)
    assert run.status == "paused"
    wait_for(lambda: registry.settled(run))
    still_at = run.trainer.step_count
    holds_for(lambda: run.trainer.step_count == still_at and run.status == "paused", 1.0)


def poison(run: Run) -> None:
    """Give the run's first layer weights of the wrong shape: its next forward pass raises
    torch's own shape error (the test owns the trainer here: the run is paused and settled)."""
    first = run.trainer.model.linears[0].weight
    first.data = torch.zeros(first.shape[0], first.shape[1] + 1)


def reference_losses(config: TrainConfig) -> list[float]:
    """The epochs' train_loss of the same configuration trained alone by a plain loop."""
    trainer = Trainer(config, TrainLimits())
    losses = []
    while True:
        outcome = trainer.step()
        if outcome.history is not None:
            losses.append(outcome.history["train_loss"])
        if outcome.finished or outcome.diverged:
            return losses


def test_a_run_whose_training_raises_fails_alone(
    registry: RunRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    # Three runs of one architecture share one batched pass; the poisoned one breaks the
    # shared pass, the worker retries each on its own, and only the culprit fails.
    config = dataclasses.replace(SPIRAL, max_epochs=20)
    healthy = [registry.create(config, start=False) for _ in range(2)]
    poisoned = registry.create(config, start=False)
    poison(poisoned)
    caplog.set_level(logging.WARNING, logger="app.train.worker")
    for run in [*healthy, poisoned]:
        registry.resume(run.id)
    wait_for(lambda: poisoned.status == "failed" and all(r.over for r in healthy), seconds=60)
    assert "retrying each" in caplog.text  # the shared pass failed first
    reason = poisoned.reason or ""
    assert "PyTorch error" in reason and "cannot be multiplied" in reason, reason
    assert registry.state(poisoned)["status"] == "failed"
    assert [e.kind for e in poisoned.log.since(0)][-1] == "status"
    expected = reference_losses(config)
    for run in healthy:
        assert run.status == "finished" and run.trainer.epoch == 20
        losses = [h["train_loss"] for h in run.history]
        assert losses == pytest.approx(expected, rel=1e-4, abs=1e-6)


def test_a_failed_run_leaves_the_next_runs_training(registry: RunRegistry) -> None:
    lonely = registry.create(
        TrainConfig(dataset={"name": "thermometer"}, model={"kind": "linear"}), start=False
    )
    poison(lonely)
    registry.step(lonely.id)
    wait_for(lambda: lonely.status == "failed")
    assert lonely.ended is not None and "update 1" in (lonely.reason or "")
    with pytest.raises(UserError, match="failed"):
        registry.resume(lonely.id)
    other = registry.create(dataclasses.replace(SPIRAL, max_epochs=3))
    wait_for(lambda: other.status == "finished")


def test_reads_of_the_trainer_happen_on_the_worker(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)
    on = registry.read(run, lambda trainer: threading.current_thread().name)
    assert on.startswith("train-")
    with pytest.raises(ZeroDivisionError):  # a read that raises tells its caller, not the run
        registry.read(run, lambda trainer: 1 / 0)
    at = run.trainer.step_count
    wait_for(lambda: run.status == "running" and run.trainer.step_count > at + 10)


@pytest.mark.parametrize("order", ["speed first", "drawing rate first"])
def test_two_pace_changes_sent_at_once_both_hold(registry: RunRegistry, order: str) -> None:
    # Two clients (or one page's two menus) change the pace at the same moment: each change
    # names only its own field, so neither undoes the other.
    run = registry.create(SPIRAL, start=False)
    changes = [{"steps_per_frame": (1,)}, {"frames_per_second": 5.0}]
    if order != "speed first":
        changes.reverse()
    threads = [threading.Thread(target=registry.change, args=(run.id,), kwargs=c) for c in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = registry.state(run)
    assert (state["steps_per_frame"], state["frames_per_second"]) == (1, 5.0)


def test_a_culprit_in_a_later_group_of_its_cohort_fails_alone(registry: RunRegistry) -> None:
    # Two healthy runs and one whose BCE raises (weights of 3e38 overflow to inf − inf = NaN
    # before the sigmoid, and BCE refuses NaN) share an architecture but not a batch shape:
    # they train in one slice, in two groups, the culprit's second. Only the culprit fails;
    # the others' updates of that slice stand.
    base = {"dataset": {"name": "spiral", "n_samples": 200}, "loss": "bce", "max_epochs": 20}
    healthy = TrainConfig(**base, model={"kind": "logistic"}, batch_size=10)
    culprit = TrainConfig(**base, model={"kind": "logistic", "init": {"w": 3e38, "b": 0.0}})
    runs = [registry.create(healthy, start=False) for _ in range(2)]
    bad = registry.create(dataclasses.replace(culprit, batch_size=20), start=False)
    for run in [*runs, bad]:
        registry.resume(run.id)
    wait_for(lambda: all(r.status != "running" for r in [*runs, bad]), seconds=60)
    assert bad.status == "failed" and "PyTorch error" in (bad.reason or ""), bad.reason
    assert [r.status for r in runs] == ["finished", "finished"], [r.reason for r in runs]


# --- the outcome rules of commands.py ----------------------------------------------------


def test_each_answer_is_the_state_right_after_its_own_command(registry: RunRegistry) -> None:
    run = registry.create(SPIRAL)
    wait_for(lambda: run.trainer.step_count > 5)
    paused = registry.pause(run.id)
    assert paused["status"] == "paused"
    wait_for(lambda: registry.settled(run))
    assert paused["step"] == run.trainer.step_count  # the pause's own count, not a stale one
    stepped = registry.step(run.id, count=4)
    assert (stepped["status"], stepped["step"]) == ("paused", paused["step"])  # asked, not done
    wait_for(lambda: registry.settled(run))
    assert run.trainer.step_count == paused["step"] + 4
    changed = registry.change(run.id, lr=0.002)
    assert (changed["lr"], changed["status"], changed["step"]) == (
        0.002,
        "paused",
        paused["step"] + 4,
    )
    assert registry.resume(run.id)["status"] == "running"
    assert registry.stop(run.id)["status"] == "stopped"


@pytest.mark.parametrize(
    ("commands", "extra_steps", "status"),
    [
        ([("step", 3), ("step", 2)], 5, "paused"),  # steps add up
        ([("step", 3), ("pause", 0)], 0, "paused"),  # a pause cancels steps still to do
        ([("pause", 0), ("step", 2)], 2, "paused"),  # steps after the pause count
        ([("step", 50), ("resume", 0), ("pause", 0)], None, "paused"),  # resume drops them
        ([("step", 3), ("stop", 0), ("step", 1)], 0, "stopped"),  # stop is final
        ([("change", 0), ("step", 2)], 2, "paused"),  # a change moves nothing
    ],
)
def test_commands_queued_together_apply_in_order(
    registry: RunRegistry,
    commands: list[tuple[str, int]],
    extra_steps: int | None,
    status: str,
) -> None:

    run = registry.create(SPIRAL, start=False)
    # Queued while no worker looks, then drained at once: the worker applies them in order.
    for name, count in commands:
        lr = 0.005 if name == "change" else None
        run.commands.put(Command(name, count=count, lr=lr))  # type: ignore[arg-type]
    registry._scheduler.schedule(run, urgent=True)  # what _send does
    wait_for(lambda: registry.settled(run))
    assert run.status == status
    if extra_steps is not None:
        assert run.trainer.step_count == extra_steps
    at = run.trainer.step_count
    holds_for(lambda: run.trainer.step_count == at, 0.2)  # a resting run never moves unasked


def test_a_command_the_worker_does_not_take_in_time_is_withdrawn_and_never_applies() -> None:
    limits = TrainLimits(command_answer_seconds=0.2, sweep_every_seconds=3600)
    registry = RunRegistry(limits, encode_event=sse_event)
    try:
        busy = registry.create(SPIRAL, start=False)
        run = registry.create(SPIRAL)
        wait_for(lambda: run.trainer.step_count > 0)
        # A read that holds the only worker for a second: nothing else gets a turn meanwhile.
        reading = threading.Thread(target=registry.read, args=(busy, lambda _: time.sleep(1.0)))
        reading.start()
        wait_for(lambda: not busy.commands)  # the worker has taken the read
        with pytest.raises(UserError, match="not applied") as refused:
            registry.pause(run.id)
        assert refused.value.type == "run_state"
        reading.join()
        wait_for(lambda: registry.settled(run) or run.trainer.step_count > 50)
        assert run.status == "running"  # the withdrawn pause never applied
        assert not run.commands
    finally:
        registry.close()
