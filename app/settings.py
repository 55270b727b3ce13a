"""All configuration in one place: laptop defaults, overridden by GRADPLAY_* env vars."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Server settings and the limits every request is held to (all listed in the API docs)."""

    model_config = SettingsConfigDict(env_prefix="GRADPLAY_")

    host: str = "127.0.0.1"
    port: int = 8000

    # Limits on a program and its evaluation.
    max_source_chars: int = Field(20_000, description="characters in a program")
    max_statements: int = Field(1_000, description="statements in a program")
    max_nodes: int = Field(2_000, description="nodes in a program's graph")
    max_tensor_elements: int = Field(
        2_000_000, description="elements in any one input or intermediate tensor"
    )
    max_graph_elements: int = Field(
        20_000_000, description="elements over all values of one evaluation (memory bound)"
    )
    max_total_elements: int = Field(
        4_000_000, description="elements over all input values of one request"
    )
    max_request_bytes: int = Field(32_000_000, description="bytes in a request body")
    max_eval_seconds: float = Field(10.0, description="wall time of one evaluation")
    max_optimize_steps: int = Field(100_000, description="steps of one gradient descent")
    max_optimize_seconds: float = Field(20.0, description="wall time of one gradient descent")
    max_history_entries: int = Field(10_000, description="history entries in one answer")
    max_history_param_elements: int = Field(
        100, description="parameter elements above which history entries omit params"
    )


settings = Settings()
