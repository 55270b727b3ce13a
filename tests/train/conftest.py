"""Tiny tensors: one intra-op thread is faster than two on this machine (as in the workers)."""

import torch

torch.set_num_threads(1)
