"""The openai engine: the worker's prompts and schema over any OpenAI-compatible server.

``vllm serve``, SGLang, Ollama, llama.cpp's server, LM Studio or a hosted provider: anything that
serves ``POST /v1/chat/completions`` with ``response_format: {"type": "json_schema", ...}``. The
worker keeps what makes answers usable (the type plan, answer + distractors, the checks and the
slot repairs, the NDJSON progress), the upstream does the decoding, so this is also how the
worker scales past one GPU (a vLLM deployment with tensor or data parallelism behind one URL).

The request streams (``stream: true``, usage in the last chunk) over ``httpx`` (already the
project's HTTP client; the event stream is a few ``data:`` lines), so progress is reported as the
upstream produces text, and a cancelled request closes the upstream connection, which
OpenAI-style servers take as an abort. Failures of the server itself become ``UpstreamFailed`` with the
status the worker answers: 502 for an error or a refused key, 503 when the upstream is busy
(429), 504 when it stays silent for ``--upstream-timeout`` seconds; an error event inside the
stream is reported with the status and message the upstream gave it. A server that ignores the
schema or a model that refuses is the model's failure: the service retries, then answers 502.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from inference_worker.config import WorkerSettings
from inference_worker.engines import EngineInfo, EngineOutput, GenerationTask, UpstreamFailed

logger = logging.getLogger("inference_worker.openai")

CONNECT_TIMEOUT = 5.0


def base_url(upstream: str) -> str:
    """The client's base URL: the server's root or its ``/v1``, either way ending in ``/v1``."""
    root = upstream.rstrip("/")
    return root if root.endswith("/v1") else f"{root}/v1"


def completion_body(task: GenerationTask, model: str) -> dict[str, Any]:
    """The body of ``POST /v1/chat/completions`` for one attempt."""
    return {
        "model": model,
        "messages": task.messages,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "exercises",
                "schema": task.schema,
                "strict": True,
            },
        },
        "max_tokens": task.request.max_tokens,
        "temperature": task.request.temperature,
        "seed": task.seed,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


class OpenAIEngine:
    """An OpenAI-compatible server upstream, streamed over one httpx.AsyncClient."""

    def __init__(self, settings: WorkerSettings) -> None:
        assert settings.upstream is not None  # the settings refuse the openai engine without it
        self.url = base_url(settings.upstream)
        self.timeout = settings.upstream_timeout
        self.api_key = settings.upstream_api_key
        self.info = EngineInfo(
            engine="openai",
            model=settings.upstream_model or "",
            device="remote",
            dtype="upstream's",
            extra={"upstream": self.url},
        )
        self._client: httpx.AsyncClient | None = None
        self._running = 0

    async def start(self) -> None:
        """Build the client; without ``--upstream-model``, ask the server which model it serves."""
        headers = {}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        self._client = httpx.AsyncClient(
            base_url=self.url,
            headers=headers,
            timeout=httpx.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
        )
        if not self.info.model:
            try:
                response = await self._client.get("/models")
            except httpx.HTTPError as exc:
                raise _transport_failure(exc, self.url) from None
            if response.status_code >= 400:
                raise _status_failure(response.status_code, response.content, self.url)
            models = response.json().get("data") or []
            if not models:
                raise UpstreamFailed(502, f"{self.url} serves no model; pass --upstream-model")
            self.info.model = str(models[0]["id"])
        logger.info("engine.upstream url=%s model=%s", self.url, self.info.model)

    async def generate(self, task: GenerationTask) -> EngineOutput:
        """Stream one completion, reporting its text as it comes; cancelling closes the stream."""
        assert self._client is not None, "start() first"
        parts: list[str] = []
        refusal: list[str] = []
        chunks = 0
        usage_tokens: int | None = None
        finish = "length"
        self._running += 1
        try:
            async with self._client.stream(
                "POST", "/chat/completions", json=completion_body(task, self.info.model)
            ) as response:
                if response.status_code >= 400:
                    body = await response.aread()
                    raise _status_failure(response.status_code, body, self.url)
                async for line in response.aiter_lines():
                    # Server-sent events: ``data: {...}`` lines, ``data: [DONE]`` at the end.
                    if not line.startswith("data:"):
                        continue
                    data = line.removeprefix("data:").strip()
                    if data == "[DONE]":
                        break
                    chunk = json.loads(data)
                    if chunk.get("error"):
                        raise _stream_failure(chunk["error"], self.url)
                    if chunk.get("usage"):
                        usage_tokens = chunk["usage"].get("completion_tokens")
                    for choice in chunk.get("choices") or []:
                        delta = choice.get("delta") or {}
                        if delta.get("refusal"):
                            refusal.append(str(delta["refusal"]))
                        if delta.get("content"):
                            parts.append(str(delta["content"]))
                            chunks += 1  # servers send about one token per chunk
                            task.report(chunks, str(delta["content"]))
                        if choice.get("finish_reason"):
                            finish = str(choice["finish_reason"])
        except httpx.HTTPError as exc:
            raise _transport_failure(exc, self.url) from None
        except json.JSONDecodeError:
            raise UpstreamFailed(502, f"{self.url} sent an unreadable event stream") from None
        finally:
            self._running -= 1
        return EngineOutput(
            text="".join(parts),
            generated_tokens=usage_tokens if usage_tokens is not None else chunks,
            finish_reason=finish,
            refusal="".join(refusal) or None,
        )

    def gpu_memory_used_mb(self) -> float | None:
        """The GPU is the upstream's."""
        return None

    def queue_depth(self) -> tuple[int, int]:
        """Requests sent upstream; the upstream schedules them itself."""
        return self._running, 0

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _transport_failure(exc: httpx.HTTPError, url: str) -> UpstreamFailed:
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamFailed(504, f"the upstream model server {url} stayed silent too long")
    return UpstreamFailed(502, f"cannot reach the upstream model server {url} ({exc!r})")


def _status_failure(status: int, body: bytes, url: str) -> UpstreamFailed:
    """The worker's status and a plain sentence for an upstream's HTTP error."""
    if status in (401, 403):
        return UpstreamFailed(
            502, f"the upstream model server {url} refused the key; check UPSTREAM_API_KEY"
        )
    if status == 429:
        return UpstreamFailed(503, f"the upstream model server {url} is busy (429)")
    return UpstreamFailed(
        502, f"the upstream model server {url} answered {status}: {_message(body)}"
    )


def _stream_failure(error: Any, url: str) -> UpstreamFailed:
    """The failure an error event inside a 200 stream reports, with the upstream's own code.

    llama.cpp's server and vLLM put the HTTP status the error would have had in ``code``
    (``{"error": {"code": 500, "message": ...}}``); OpenAI's own ``code`` may be a word or null.
    """
    body = json.dumps({"error": error}).encode()
    code = error.get("code") if isinstance(error, dict) else None
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if isinstance(code, int) and 400 <= code < 600:
        return _status_failure(code, body, url)
    return UpstreamFailed(
        502, f"the upstream model server {url} failed mid-answer: {_message(body)}"
    )


def _message(body: bytes) -> str:
    """The error message of an OpenAI-style error body, or the start of the body."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body.decode(errors="replace")[:200]
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:200]
    if isinstance(error, str):
        return error[:200]
    if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
        return str(payload["detail"])[:200]
    return body.decode(errors="replace")[:200]
