"""The vLLM engine: AsyncLLM with continuous batching and schema-constrained decoding.

Written against vLLM 0.12–0.33 (the ``vllm`` extra pins that range): ``AsyncEngineArgs``,
``AsyncLLM.from_engine_args``, ``AsyncLLM.generate`` as an async iterator of cumulative
``RequestOutput``s, ``AsyncLLM.abort``, ``AsyncLLM.shutdown``, and
``SamplingParams(structured_outputs=StructuredOutputsParams(json=schema))`` (the old
``guided_json``/``GuidedDecodingParams`` API is gone since 0.12). vllm is imported only when
this engine starts; the keyword arguments are built by plain functions tested without a GPU.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from inference_worker.config import WorkerSettings
from inference_worker.contract import GenerateRequest
from inference_worker.engines import EngineInfo, EngineOutput
from inference_worker.prompts import render_prompt


def engine_kwargs(settings: WorkerSettings) -> dict[str, Any]:
    """Keyword arguments for ``vllm.engine.arg_utils.AsyncEngineArgs``."""
    kwargs: dict[str, Any] = {
        "model": settings.model,
        "dtype": settings.dtype,  # "half" on a T4: it has no bfloat16
        "gpu_memory_utilization": settings.gpu_memory_utilization,
        "enable_prefix_caching": settings.enable_prefix_caching,
        "max_num_seqs": max(settings.max_batch_size, 16),
    }
    if settings.max_model_len is not None:
        kwargs["max_model_len"] = settings.max_model_len
    if settings.quantization:
        kwargs["quantization"] = settings.quantization
    if settings.download_dir:
        kwargs["download_dir"] = settings.download_dir
    return kwargs


def sampling_kwargs(request: GenerateRequest, schema: dict[str, Any], seed: int) -> dict[str, Any]:
    """Keyword arguments for ``vllm.SamplingParams`` (structured_outputs added by the engine)."""
    return {
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "seed": seed,
    }


class VLLMEngine:
    """AsyncLLM: concurrent HTTP requests share the GPU through continuous batching."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self.info = EngineInfo(
            engine="vllm", model=settings.model, device="cuda", dtype=settings.dtype
        )
        self._engine: Any = None
        self._tokenizer: Any = None
        self._running = 0

    async def start(self) -> None:
        """Build the AsyncLLM (downloads and loads the weights, profiles memory)."""
        import torch
        from transformers import AutoTokenizer
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        self.info.gpu_name = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        self._tokenizer = await asyncio.to_thread(
            AutoTokenizer.from_pretrained, self.settings.model, cache_dir=self.settings.download_dir
        )
        self._engine = AsyncLLM.from_engine_args(AsyncEngineArgs(**engine_kwargs(self.settings)))

    async def generate(
        self, request: GenerateRequest, schema: dict[str, Any], seed: int
    ) -> EngineOutput:
        """Stream the request to completion; cancellation aborts it inside vLLM."""
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        params = SamplingParams(
            **sampling_kwargs(request, schema, seed),
            structured_outputs=StructuredOutputsParams(json=schema),
        )
        prompt = render_prompt(self._tokenizer, request)
        request_id = uuid.uuid4().hex
        final = None
        self._running += 1
        try:
            async for output in self._engine.generate(prompt, params, request_id):
                final = output
        except asyncio.CancelledError:
            await self._engine.abort(request_id)
            raise
        finally:
            self._running -= 1
        if final is None or not final.outputs:
            return EngineOutput(text="", generated_tokens=0, finish_reason="abort")
        completion = final.outputs[0]
        return EngineOutput(
            text=completion.text,
            generated_tokens=len(completion.token_ids),
            finish_reason=str(completion.finish_reason or "stop"),
        )

    def gpu_memory_used_mb(self) -> float | None:
        """Memory in use on the GPU (vLLM reserves most of it for the KV cache)."""
        import torch

        if not torch.cuda.is_available():
            return None
        free, total = torch.cuda.mem_get_info()
        return round((total - free) / 2**20, 1)

    def queue_depth(self) -> tuple[int, int]:
        """Requests inside the engine; vLLM schedules waiting ones itself."""
        return self._running, 0

    async def close(self) -> None:
        """Shut the engine down and free the GPU."""
        if self._engine is not None:
            self._engine.shutdown()
            self._engine = None
