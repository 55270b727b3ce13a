"""Gradplay: watch gradients flow, computed by real PyTorch autograd."""
