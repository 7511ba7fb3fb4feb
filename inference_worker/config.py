"""Settings of the worker: flags override environment variables (prefix WORKER_), which override defaults."""

from __future__ import annotations

import ipaddress
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerSettings(BaseSettings):
    """Everything the worker can be told; ``python -m inference_worker --help`` lists the flags."""

    model_config = SettingsConfigDict(
        env_prefix="WORKER_", extra="ignore", protected_namespaces=(), hide_input_in_errors=True
    )

    engine: Literal["transformers", "vllm", "openai"] = "transformers"
    model: str = Field(default="Qwen/Qwen2.5-1.5B-Instruct", description="HF name or local path.")
    host: str = "127.0.0.1"
    port: int = Field(
        default=8001, ge=1, le=65535, validation_alias=AliasChoices("PORT", "WORKER_PORT")
    )
    api_key: SecretStr | None = Field(default=None, description="Bearer key; unset = no auth.")
    device: str = Field(default="auto", description="transformers: auto, cpu, cuda or mps.")
    dtype: str = Field(default="auto", description="auto, half/float16 (a T4), bfloat16, float32.")
    threads: int | None = Field(
        default=None, ge=1, description="transformers on CPU: torch threads (unset = torch's)."
    )
    max_model_len: int | None = Field(default=None, ge=256)
    gpu_memory_utilization: float = Field(default=0.90, gt=0.05, le=0.99)
    quantization: str | None = None
    enable_prefix_caching: bool | None = Field(
        default=None, description="vLLM prefix caching; unset = vLLM's default (on)."
    )
    download_dir: str | None = None
    max_num_seqs: int | None = Field(
        default=None, ge=1, description="vLLM: sequences per batch (unset = vLLM's default)."
    )
    structured_outputs_backend: Literal["auto", "guidance", "xgrammar"] = Field(
        default="guidance",
        description="vLLM's constraint backend; guidance is llguidance, the one the tests use.",
    )
    max_batch_size: int = Field(default=8, ge=1, le=256, description="transformers batch size.")
    continuous_batching: bool = Field(
        default=True,
        description="transformers: requests join a running batch at the next step "
        "(off: one batch at a time).",
    )
    max_queue: int = Field(default=64, ge=1, description="Requests in progress before 503.")
    request_timeout: float = Field(default=300.0, gt=0, description="Seconds before 504.")
    progress_interval: float = Field(
        default=1.0, gt=0, le=2.0, description="Seconds between NDJSON progress events."
    )
    max_field_chars: int = Field(
        default=240, ge=8, le=2000, description="Longest string in an exercise (schema pattern)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    upstream: str | None = Field(
        default=None,
        description="openai engine: base URL of an OpenAI-compatible server (…/v1 or its root).",
    )
    upstream_model: str | None = Field(
        default=None, description="openai engine: model name (unset = the server's first model)."
    )
    upstream_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("UPSTREAM_API_KEY", "WORKER_UPSTREAM_API_KEY"),
        description="openai engine: the upstream's bearer key, from the environment only.",
    )
    upstream_timeout: float = Field(
        default=60.0, gt=0, description="openai engine: seconds of upstream silence before 504."
    )

    @field_validator("api_key", "upstream_api_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("dtype")
    @classmethod
    def _known_dtype(cls, value: str) -> str:
        known = ("auto", "half", "float16", "bfloat16", "float", "float32")
        if value not in known:
            raise ValueError(f"dtype must be one of {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _upstream_for_openai(self) -> Self:
        if self.engine == "openai" and not self.upstream:
            raise ValueError(
                "the openai engine needs --upstream URL (an OpenAI-compatible server such as "
                "vllm serve, e.g. http://127.0.0.1:8000/v1); its key goes in UPSTREAM_API_KEY"
            )
        if self.upstream and not self.upstream.startswith(("http://", "https://")):
            raise ValueError(f"--upstream must be an http(s) URL, not {self.upstream!r}")
        return self

    @model_validator(mode="after")
    def _key_when_reachable(self) -> Self:
        if self.api_key is None and not is_loopback(self.host):
            raise ValueError(
                f"refusing to listen on {self.host} without WORKER_API_KEY: anyone who can reach "
                "this port could use the GPU. Set WORKER_API_KEY (the API sends it as "
                "INFERENCE_API_KEY), or listen on 127.0.0.1 only (--host 127.0.0.1)."
            )
        return self


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
