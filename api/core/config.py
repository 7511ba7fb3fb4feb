"""Settings of the API, read once from the environment (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/italian_teacher.db"
MIN_PASSWORD_LENGTH = 8


class Settings(BaseSettings):
    """Every knob of the API; names match the environment variables in the README."""

    # hide_input_in_errors: a settings error names the variable, never echoes its value (a key).
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, hide_input_in_errors=True
    )

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="SQLite or PostgreSQL URL.")
    auto_migrate: bool = Field(default=True, description="Apply migrations at start-up.")

    inference_api_url: str | None = Field(default=None, description="Base URL of the worker.")
    inference_api_key: SecretStr | None = Field(default=None, description="Worker bearer key.")
    inference_connect_timeout: float = Field(default=5.0, gt=0, le=60)
    inference_read_timeout: float = Field(default=120.0, gt=0, le=900)
    inference_idle_timeout: float = Field(
        default=15.0,
        gt=0,
        le=900,
        description="Silence that fails an attempt on a streaming worker.",
    )
    inference_max_attempts: int = Field(default=5, ge=1, le=50, description="Tries per homework.")
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
    breaker_window: int = Field(default=20, ge=1, le=1000)
    breaker_min_calls: int = Field(default=10, ge=1, le=1000)
    breaker_failure_rate: float = Field(default=0.7, gt=0, le=1)
    breaker_half_open_probes: int = Field(default=3, ge=1, le=100)
    retry_backoff_seconds: float = Field(default=0.25, ge=0, le=30)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    teacher_email: str | None = Field(
        default=None, description="With TEACHER_PASSWORD: this administrator exists at start-up."
    )
    teacher_password: SecretStr | None = Field(default=None, description="See TEACHER_EMAIL.")
    teacher_name: str = Field(default="Administrator", min_length=1, max_length=200)
    token_ttl_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    public_url: str | None = Field(
        default=None,
        description="Base URL pupils' links start with (e.g. http://192.168.1.20:8000); "
        "by default the address the teacher's request came to.",
    )
    login_failures_per_account: str = Field(default="5/5minutes")
    login_failures_per_address: str = Field(default="20/5minutes")
    requests_per_token: str = Field(default="600/minute")
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where rate-limit counters live: memory:// per process, or redis://host:6379 "
        "so that several replicas share them.",
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token Prometheus may scrape /metrics with."
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    offline_processes: int = Field(
        default=1,
        ge=0,
        le=64,
        description="Processes the offline generator runs in, beside the API's (0: a thread of "
        "the API's own process, which then competes with requests for the interpreter).",
    )
    max_active_requests: int = Field(
        default=16,
        ge=1,
        le=10_000,
        description="Requests the app works on at once; the rest wait in arrival order. "
        "/health, /metrics and static files never wait.",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS; none (CORS off) by default."
    )

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
        # Several workers: comma-separated URLs.
        urls = [url.strip().rstrip("/") for url in value.split(",") if url.strip()]
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise ValueError(
                    "INFERENCE_API_URL must be an http(s) URL such as https://abc.ngrok-free.app "
                    f"(or several, comma-separated), got one starting with "
                    f"{parts.scheme or 'no scheme'!r}"
                )
        return ",".join(urls) or None

    @field_validator("teacher_email", "public_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("teacher_email")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValueError(f"TEACHER_EMAIL is not a valid email address: {exc}") from None

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("PUBLIC_URL must be an http(s) URL such as http://192.168.1.20:8000")
        return value.rstrip("/")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator(
        "login_failures_per_account", "login_failures_per_address", "requests_per_token"
    )
    @classmethod
    def _check_rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"a rate limit looks like '5/5minutes' or '600/minute', got {value!r}"
            ) from None
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
    def _check_worker_keys(self) -> Settings:
        if self.inference_api_url is None or self.inference_api_key is None:
            return self
        urls = self.inference_api_url.count(",") + 1
        keys = self.inference_api_key.get_secret_value().count(",") + 1
        if keys not in (1, urls):
            raise ValueError(
                f"INFERENCE_API_KEY must hold one key or one per worker URL ({urls}), "
                f"in the same order; it holds {keys}"
            )
        return self

    @model_validator(mode="after")
    def _check_timeouts(self) -> Settings:
        if (self.teacher_email is None) != (self.teacher_password is None):
            raise ValueError("set TEACHER_EMAIL and TEACHER_PASSWORD together, or neither")
        if self.teacher_password is not None and len(self.teacher_password) < MIN_PASSWORD_LENGTH:
            raise ValueError(
                f"TEACHER_PASSWORD must have at least {MIN_PASSWORD_LENGTH} characters"
            )
        if self.generation_lease_seconds < 3 * self.generation_poll_seconds / 2:
            raise ValueError(
                "GENERATION_LEASE_SECONDS must be at least 1.5x GENERATION_POLL_SECONDS"
            )
        return self


def redact_url(url: str) -> str:
    """``url`` without any user name or password embedded in it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests override the dependency or build their own)."""
    return Settings()
