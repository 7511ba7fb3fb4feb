"""Settings of the API, read once from the environment (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/italian_teacher.db"


class Settings(BaseSettings):
    """Every knob of the API; names match the environment variables in the README."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="SQLite or PostgreSQL URL.")
    auto_migrate: bool = Field(default=True, description="Apply migrations at start-up.")

    inference_api_url: str | None = Field(default=None, description="Base URL of the worker.")
    inference_api_key: SecretStr | None = Field(default=None, description="Worker bearer key.")
    inference_connect_timeout: float = Field(default=5.0, gt=0, le=60)
    inference_read_timeout: float = Field(default=120.0, gt=0, le=900)
    inference_max_tokens: int = Field(default=3072, ge=256, le=16384)
    inference_temperature: float = Field(default=0.7, ge=0, le=2)

    generation_deadline_seconds: float = Field(
        default=150.0, gt=0, le=1800, description="Overall time for one homework, retries included."
    )
    generation_concurrency: int = Field(default=24, ge=1, le=256)
    generation_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    generation_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    generation_max_attempts: int = Field(default=5, ge=1, le=50)
    breaker_failure_threshold: int = Field(default=3, ge=1, le=100)
    breaker_reset_seconds: float = Field(default=30.0, gt=0, le=3600)
    retry_backoff_seconds: float = Field(default=0.25, ge=0, le=30)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("inference_api_url", mode="before")
    @classmethod
    def _blank_url_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().rstrip("/")
            return value or None
        return value

    @field_validator("inference_api_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(
                f"INFERENCE_API_URL must be an http(s) URL such as https://abc.ngrok-free.app, "
                f"got {value!r}"
            )
        return value

    @field_validator("inference_api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError(
                "DATABASE_URL must start with sqlite:/// or postgresql://, "
                f"got a URL with scheme {scheme!r}"
            )
        return value

    @model_validator(mode="after")
    def _check_timeouts(self) -> Settings:
        if self.generation_lease_seconds < 3 * self.generation_poll_seconds / 2:
            raise ValueError(
                "GENERATION_LEASE_SECONDS must be at least 1.5x GENERATION_POLL_SECONDS"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests override the dependency or build their own)."""
    return Settings()
