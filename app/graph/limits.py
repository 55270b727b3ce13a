"""The limits one evaluation is held to (values come from `Settings`, never defaults here)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The limits one evaluation or gradient descent is held to."""

    max_tensor_elements: int  # elements in any one tensor
    max_total_elements: int  # elements over all input values
    max_graph_elements: int  # elements over every node of one evaluation
    max_seconds: float  # wall time
    max_dims: int  # dimensions of one input value
    max_bytes: int  # memory of every node's value and gradient in one evaluation
    max_flops: int  # estimated floating-point operations of one evaluation (forward + backward)
    max_answer_numbers: int  # numbers one evaluate answer carries (values, gradients, edges)
