"""The batch sampler against the plain loop's own batches: randperm per epoch, sliced."""

import pytest
import torch

from app.train.sampler import BatchSampler

ROWS = 23


def rows() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.arange(ROWS, dtype=torch.float32).unsqueeze(1)  # row i holds the number i
    return x, x[:, 0] * 10


def plain_loop_batches(batch: int, seed: int, epochs: int) -> list[list[int]]:
    """The textbook loop's batches: a fresh permutation each epoch (none for the whole set)."""
    generator = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(epochs):
        order = torch.randperm(ROWS, generator=generator) if batch < ROWS else torch.arange(ROWS)
        out += [order[i : i + batch].tolist() for i in range(0, ROWS, batch)]
    return out


@pytest.mark.parametrize(("batch", "seed"), [(1, 0), (5, 3), (7, 1), (22, 2), (23, 0), (30, 0)])
def test_batches_are_the_plain_loops(batch: int, seed: int) -> None:
    x, y = rows()
    sampler = BatchSampler(x, y, batch_size=min(batch, ROWS), seed=seed)
    want = plain_loop_batches(batch, seed, epochs=3)
    have, ends = [], []
    for _ in want:
        bx, by = sampler.next()
        assert torch.equal(by, bx[:, 0] * 10)  # x and y rows stay paired
        have.append(bx[:, 0].long().tolist())
        ends.append(sampler.epoch_done)
    assert have == want
    per_epoch = -(-ROWS // batch)
    assert ends == [(i + 1) % per_epoch == 0 for i in range(len(want))]
    assert sampler.last is not None and sampler.last[0][:, 0].long().tolist() == want[-1]


def test_a_new_batch_size_waits_for_the_next_epoch() -> None:
    x, y = rows()
    sampler = BatchSampler(x, y, batch_size=5, seed=0)
    sizes = [len(sampler.next()[0]) for _ in range(2)]
    sampler.batch_size = 10
    while not sampler.epoch_done:
        sizes.append(len(sampler.next()[0]))
    assert sizes == [5, 5, 5, 5, 3]
    assert [len(sampler.next()[0]) for _ in range(3)] == [10, 10, 3]
    sampler.batch_size = ROWS  # the whole set: every update ends an epoch, in stored order
    bx, _ = sampler.next()
    assert sampler.epoch_done and bx[:, 0].long().tolist() == list(range(ROWS))
    assert sampler.next()[0] is x


def test_the_whole_set_draws_nothing_from_the_generator() -> None:
    x, y = rows()
    sampler = BatchSampler(x, y, batch_size=ROWS, seed=4)
    for _ in range(3):
        sampler.next()
    untouched = torch.Generator().manual_seed(4)
    assert torch.equal(sampler.generator.get_state(), untouched.get_state())
