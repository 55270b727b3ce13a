"""The batch sampler: which training rows each update sees.

Each epoch draws `torch.randperm(n, generator)` afresh and walks it in slices of the batch size;
when one batch holds the whole set, every update takes all rows in their stored order and draws
nothing (so a plain loop with the same seed gives the same batches). A new batch size takes effect
at the start of the next epoch.
"""

import torch


class BatchSampler:
    """Batches of (x, y) rows, epoch after epoch, from a seeded generator."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, *, batch_size: int, seed: int) -> None:
        self.x, self.y = x, y
        self.n = len(x)  # training rows
        self.batch_size = batch_size  # rows per update from the next epoch on
        self.generator = torch.Generator().manual_seed(seed)
        self._order: torch.Tensor | None = None  # this epoch's permutation (None: whole set)
        self._position = 0  # rows of this epoch already served
        self._epoch_batch_size = batch_size  # the batch size this epoch started with
        self.last: tuple[torch.Tensor, torch.Tensor] | None = None  # the latest batch

    @property
    def epoch_done(self) -> bool:
        """The latest batch was the epoch's last."""
        return self._position >= self.n

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The rows of the next update."""
        self.last = self._draw()
        return self.last

    def _draw(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._order is None or self._position >= self.n:
            self._epoch_batch_size = self.batch_size
            if self.batch_size >= self.n:
                self._order = None
                self._position = self.n
                return self.x, self.y
            self._order = torch.randperm(self.n, generator=self.generator)
            self._position = 0
        index = self._order[self._position : self._position + self._epoch_batch_size]
        self._position += self._epoch_batch_size
        return self.x[index], self.y[index]
