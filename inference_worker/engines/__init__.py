"""Engines turn a prompt and a JSON schema into text; one per process, loaded once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from inference_worker.contract import GenerateRequest

# Called by an engine as text is produced: (tokens generated so far, the text since last call).
# It may be called from an engine's own thread; it only records numbers.
ProgressCallback = Callable[[int, str], None]


@dataclass(frozen=True)
class GenerationTask:
    """One attempt at a request: the chat, the schema to follow, and the sampling seed."""

    request: GenerateRequest  # sampling settings: max_tokens, temperature
    schema: dict[str, Any]
    messages: list[dict[str, str]]
    seed: int
    request_id: str
    on_progress: ProgressCallback | None = None

    def report(self, generated_tokens: int, text: str) -> None:
        """Tell whoever listens how far the generation got."""
        if self.on_progress is not None:
            self.on_progress(generated_tokens, text)


@dataclass(frozen=True)
class EngineOutput:
    """The raw text an engine produced and what it cost."""

    text: str
    generated_tokens: int
    finish_reason: str
    refusal: str | None = None  # a model that declined the task says why (OpenAI-style servers)


class UpstreamFailed(Exception):
    """A remote model server failed (not the model's text): an HTTP-like status and a sentence."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class EngineInfo:
    """What /health reports about the engine."""

    engine: str
    model: str
    device: str = "cpu"
    dtype: str = "float32"
    gpu_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    """The interface both engines implement."""

    info: EngineInfo

    async def start(self) -> None:
        """Load the model (slow); called once in the background at start-up."""

    async def generate(self, task: GenerationTask) -> EngineOutput:
        """Generate JSON text following ``task.schema``, reporting progress as it goes.

        Cancelling the call aborts the generation inside the engine.
        """

    def gpu_memory_used_mb(self) -> float | None:
        """GPU memory in use, when there is a GPU."""

    def queue_depth(self) -> tuple[int, int]:
        """Requests running and waiting."""

    async def close(self) -> None:
        """Free the model."""
