"""A run's model on its latest batch, written as a Graph lab program (the expression language
of app/graph), so the page can open it in the graph view with every value and gradient."""

from typing import Any

from torch.nn import functional

from app.errors import ErrorType, UserError
from app.train.trainer import Trainer

# How each output activation and loss reads in the expression language.
OUTPUT_TEXT = {
    "none": "{z}",
    "sigmoid": "sigmoid({z})",
    "tanh": "tanh({z})",
    "softmax": "softmax({z})",
    "log_softmax": "log_softmax({z})",
}
LOSS_TEXT = {
    "mse": "mse(p, y)",
    "l1": "mean(abs(p - y))",
    "bce": "bce(p, y)",
    "bce_with_logits": "bce(sigmoid(p), y)",  # the sigmoid the loss applies, made visible
    "nll": "-sum(p * y) / {rows}",  # y one-hot: −mean of the true class's log-probability
    "cross_entropy": "cross_entropy(p, y)",  # y one-hot (class probabilities)
}
PENALTY_TEXT = {"l1": "sum(abs({w}))", "l2": "sum({w}^2)"}
MAX_PROGRAM_ROWS = 200  # rows of the batch written into the program (the Graph lab's size)


def model_program(trainer: Trainer) -> dict[str, Any]:
    """Source and values of the latest update's forward pass, for POST /api/v1/graphs/evaluate."""
    if trainer.last_batch is None:
        raise UserError("the run has not made an update yet: step it once", ErrorType.RUN_STATE)
    x, y = trainer.last_batch
    x, y = x[:MAX_PROGRAM_ROWS], y[:MAX_PROGRAM_ROWS]
    model = trainer.model
    if trainer.loss_name in ("nll", "cross_entropy") and y.dim() == 1:
        y = functional.one_hot(y, model.sizes[-1]).float()
    lines = [f"# {trainer.spec.kind} on a batch of {len(x)} rows, loss {trainer.loss_name}"]
    values: dict[str, Any] = {"x": x.tolist(), "y": y.tolist()}
    h = "x"
    last = len(model.linears) - 1
    for i, layer in enumerate(model.linears):
        n = i + 1
        values[f"W{n}"] = layer.weight.detach().tolist()
        values[f"b{n}"] = layer.bias.detach().tolist()
        lines.append(f"z{n} = {h} @ W{n}.T + b{n}")
        if i < last:
            activation = model.activation_names[i]
            h = f"h{n}"
            lines.append(f"{h} = {activation}(z{n})" if activation != "linear" else f"{h} = z{n}")
    lines.append("p = " + OUTPUT_TEXT[model.output_name].format(z=f"z{last + 1}"))
    loss = LOSS_TEXT[trainer.loss_name].format(rows=len(x))
    if trainer.reg_rate and trainer.reg_kind != "none":
        penalty = " + ".join(
            PENALTY_TEXT[trainer.reg_kind].format(w=f"W{i + 1}") for i in range(last + 1)
        )
        values["rate"] = trainer.reg_rate
        loss = f"{loss} + rate * ({penalty})"
    lines.append(f"loss = {loss}")
    return {"source": "\n".join(lines), "values": values, "output": "loss", "dtype": "float32"}
