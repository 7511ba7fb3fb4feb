"""The vLLM engine: AsyncLLM with continuous batching and schema-constrained decoding.

Written against vLLM 0.12 to 0.33 (the ``vllm`` extra pins ``>=0.12,<0.34``) and checked in the
source of both ends of that range (``vllm/v1/engine/async_llm.py``, ``vllm/engine/arg_utils.py``,
``vllm/sampling_params.py``, ``vllm/config/structured_outputs.py``):

- ``AsyncLLM.from_engine_args(AsyncEngineArgs(...))`` builds the engine, whose core runs in a
  child process; vLLM's Prometheus metrics land in this process's default registry.
- ``AsyncLLM.generate(prompt, sampling_params, request_id)`` is an async generator of cumulative
  ``RequestOutput``s (text and token ids so far, which is how progress is reported); when the task iterating it is cancelled, generate() itself aborts the
  request inside the engine (0.12 and 0.33 both catch ``CancelledError`` and call ``abort``).
- ``SamplingParams(structured_outputs=StructuredOutputsParams(json=schema))``: the old
  ``guided_json``/``GuidedDecodingParams`` API is gone since 0.12.
- ``AsyncLLM.get_tokenizer()`` is a coroutine in 0.12 and a plain method in 0.33.
- ``AsyncLLM.shutdown()`` is synchronous.

vllm is imported only when this engine starts; the keyword arguments are built by plain
functions, tested without a GPU (vllm does not install without one).
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any

from inference_worker.config import WorkerSettings
from inference_worker.engines import EngineInfo, EngineOutput, GenerationTask
from inference_worker.prompts import render_prompt


def engine_kwargs(settings: WorkerSettings) -> dict[str, Any]:
    """Keyword arguments for ``vllm.engine.arg_utils.AsyncEngineArgs``.

    ``structured_outputs_config`` is a plain dict here; the engine turns it into
    ``vllm.config.StructuredOutputsConfig``. Options left unset keep vLLM's own defaults
    (prefix caching is on by default in vLLM's V1 engine, for instance).
    """
    kwargs: dict[str, Any] = {
        "model": settings.model,
        "dtype": settings.dtype,  # "half" on a T4: it has no bfloat16 ("auto" falls back too)
        "gpu_memory_utilization": settings.gpu_memory_utilization,
        "structured_outputs_config": {"backend": settings.structured_outputs_backend},
    }
    optional = {
        "max_model_len": settings.max_model_len,
        "quantization": settings.quantization,
        "enable_prefix_caching": settings.enable_prefix_caching,
        "max_num_seqs": settings.max_num_seqs,
        "download_dir": settings.download_dir,
    }
    kwargs.update({key: value for key, value in optional.items() if value is not None})
    return kwargs


def sampling_kwargs(task: GenerationTask) -> dict[str, Any]:
    """Keyword arguments for ``vllm.SamplingParams``.

    ``structured_outputs`` holds the keyword arguments of
    ``vllm.sampling_params.StructuredOutputsParams``; the engine builds that object.
    """
    return {
        "max_tokens": task.request.max_tokens,
        "temperature": task.request.temperature,
        "seed": task.seed,
        # Compact JSON, as in the transformers engine: no budget spent on free whitespace.
        "structured_outputs": {"json": task.schema, "disable_any_whitespace": True},
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
        from vllm.config import StructuredOutputsConfig
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        self.info.gpu_name = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
        kwargs = engine_kwargs(self.settings)
        kwargs["structured_outputs_config"] = StructuredOutputsConfig(
            **kwargs["structured_outputs_config"]
        )
        self._engine = AsyncLLM.from_engine_args(AsyncEngineArgs(**kwargs))
        tokenizer = self._engine.get_tokenizer()
        self._tokenizer = await tokenizer if inspect.isawaitable(tokenizer) else tokenizer
        self.info.dtype = str(self._engine.model_config.dtype).removeprefix("torch.")

    def sampling_params(self, task: GenerationTask) -> Any:
        """vLLM's ``SamplingParams`` for one attempt."""
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        kwargs = sampling_kwargs(task)
        kwargs["structured_outputs"] = StructuredOutputsParams(**kwargs["structured_outputs"])
        return SamplingParams(**kwargs)

    async def generate(self, task: GenerationTask) -> EngineOutput:
        """Stream the request to completion, reporting tokens; cancellation aborts it in vLLM."""
        params = self.sampling_params(task)
        prompt = render_prompt(self._tokenizer, task.messages)
        final = None
        reported = 0
        self._running += 1
        try:
            # Outputs are cumulative (RequestOutputKind.CUMULATIVE, the default): the text so far.
            # A cancelled iteration (client gone, time limit) makes generate() abort the request.
            async for output in self._engine.generate(
                prompt, params, f"{task.request_id}-{uuid.uuid4().hex[:6]}"
            ):
                final = output
                if output.outputs:
                    completion = output.outputs[0]
                    task.report(len(completion.token_ids), completion.text[reported:])
                    reported = len(completion.text)
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
        """Requests inside the engine; vLLM schedules running and waiting ones itself."""
        return self._running, 0

    async def close(self) -> None:
        """Shut the engine down and free the GPU."""
        if self._engine is not None:
            self._engine.shutdown()
            self._engine = None
