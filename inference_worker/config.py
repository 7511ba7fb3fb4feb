"""Settings of the worker: flags override environment variables (prefix WORKER_), which override defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerSettings(BaseSettings):
    """Everything the worker can be told; ``python -m inference_worker --help`` lists the flags."""

    model_config = SettingsConfigDict(env_prefix="WORKER_", extra="ignore", protected_namespaces=())

    engine: Literal["transformers", "vllm"] = "transformers"
    model: str = Field(default="Qwen/Qwen2.5-1.5B-Instruct", description="HF name or local path.")
    host: str = "127.0.0.1"
    port: int = Field(
        default=8001, ge=1, le=65535, validation_alias=AliasChoices("PORT", "WORKER_PORT")
    )
    api_key: SecretStr | None = Field(default=None, description="Bearer key; unset = no auth.")
    device: str = Field(default="auto", description="transformers: auto, cpu, cuda or mps.")
    dtype: str = Field(
        default="auto", description="auto, float16 (half on a T4), bfloat16, float32."
    )
    max_model_len: int | None = Field(default=None, ge=256)
    gpu_memory_utilization: float = Field(default=0.90, gt=0.05, le=0.99)
    quantization: str | None = None
    enable_prefix_caching: bool = False
    download_dir: str | None = None
    max_batch_size: int = Field(default=8, ge=1, le=256, description="transformers batch size.")
    max_queue: int = Field(default=64, ge=1, description="Requests waiting before 503.")
    request_timeout: float = Field(default=300.0, gt=0, description="Seconds before 504.")
    max_field_chars: int = Field(
        default=240, ge=8, le=2000, description="Longest string in an exercise (schema pattern)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value
