"""The transformers engine: CPU, CUDA or MPS, for a laptop, a GPU box without vLLM, and the tests.

Requests wait in a queue; one background thread takes up to ``max_batch_size`` of them and
decodes them together, token by token, with a KV cache. Each sequence has its own llguidance
matcher built from the request's JSON schema, which masks every token that would leave the
schema, so the output is always JSON of the right shape. A cancelled request (the client went
away) leaves the batch at the next step.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from llguidance import LLMatcher
from llguidance.hf import from_tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer

from inference_worker.contract import GenerateRequest
from inference_worker.engines import EngineInfo, EngineOutput
from inference_worker.prompts import render_prompt

logger = logging.getLogger("inference_worker.transformers")

_DTYPES = {
    "float16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float": torch.float32,
}


def pick_device(requested: str) -> str:
    """cuda, then mps, then cpu, unless one is requested."""
    if requested != "auto":
        return requested
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(requested: str, device: str) -> torch.dtype:
    """float16 on a GPU (a T4 has no bfloat16), float32 on a CPU, unless one is requested."""
    if requested != "auto":
        return _DTYPES[requested]
    return torch.float16 if device in ("cuda", "mps") else torch.float32


@dataclass
class _Job:
    prompt_ids: list[int]
    matcher: LLMatcher
    max_tokens: int
    temperature: float
    generator: torch.Generator
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[EngineOutput]
    cancelled: threading.Event = field(default_factory=threading.Event)
    tokens: list[int] = field(default_factory=list)


class TransformersEngine:
    """AutoModelForCausalLM with schema-constrained sampling, batched in a background thread."""

    def __init__(
        self, *, model: str, device: str = "auto", dtype: str = "auto", max_batch_size: int = 8
    ) -> None:
        self.model_name = model
        self.device = pick_device(device)
        self.dtype = pick_dtype(dtype, self.device)
        self.max_batch_size = max_batch_size
        self.info = EngineInfo(
            engine="transformers",
            model=model,
            device=self.device,
            dtype=str(self.dtype).removeprefix("torch."),
            gpu_name=torch.cuda.get_device_name(0) if self.device == "cuda" else None,
        )
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._running = 0
        self._thread: threading.Thread | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._ll_tokenizer: Any = None

    async def start(self) -> None:
        """Load the tokenizer and the model, then start the batching thread."""
        await asyncio.to_thread(self._load)
        self._thread = threading.Thread(
            target=self._serve, name="transformers-batcher", daemon=True
        )
        self._thread.start()

    def _load(self) -> None:
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_name)
        self._model = AutoModelForCausalLM.from_pretrained(self.model_name, dtype=self.dtype)
        self._model.to(self.device).eval()
        vocab = max(self._model.config.vocab_size, len(self._tokenizer))
        self._ll_tokenizer = from_tokenizer(self._tokenizer, n_vocab=vocab)
        logger.info("engine.loaded model=%s device=%s", self.model_name, self.device)

    async def generate(
        self, request: GenerateRequest, schema: dict[str, Any], seed: int
    ) -> EngineOutput:
        """Queue the request and wait for its batch; cancelling it drops it from the batch."""
        # Compact JSON: free whitespace between tokens would let a weak model waste its budget.
        grammar = LLMatcher.grammar_from_json_schema(
            schema, overrides={"whitespace_flexible": False}
        )
        matcher = LLMatcher(self._ll_tokenizer, grammar, log_level=0)
        if matcher.is_error():
            raise ValueError(f"schema rejected by the constraint engine: {matcher.get_error()}")
        prompt = render_prompt(self._tokenizer, request)
        loop = asyncio.get_running_loop()
        job = _Job(
            prompt_ids=self._tokenizer(prompt, add_special_tokens=False)["input_ids"],
            matcher=matcher,
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            generator=torch.Generator().manual_seed(seed),
            loop=loop,
            future=loop.create_future(),
        )
        self._queue.put(job)
        try:
            return await asyncio.shield(job.future)
        except asyncio.CancelledError:
            job.cancelled.set()
            raise

    def gpu_memory_used_mb(self) -> float | None:
        """Memory allocated by torch on the GPU."""
        if self.device != "cuda":
            return None
        return round(torch.cuda.memory_allocated() / 2**20, 1)

    def queue_depth(self) -> tuple[int, int]:
        """Requests in the running batch and waiting in the queue."""
        return self._running, self._queue.qsize()

    async def close(self) -> None:
        """Stop the batching thread and free the model."""
        if self._thread is not None:
            self._queue.put(None)
            await asyncio.to_thread(self._thread.join, 10)
        self._model = None

    # -- the batching thread -----------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch_size:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._queue.put(None)
                    break
                batch.append(job)
            batch = [job for job in batch if not job.cancelled.is_set()]
            if not batch:
                continue
            self._running = len(batch)
            try:
                self._run_batch(batch)
            except Exception as exc:  # one broken batch must not kill the worker
                logger.exception("engine.batch_failed")
                for job in batch:
                    _resolve(job, exc)
            finally:
                self._running = 0

    @torch.inference_mode()
    def _run_batch(self, batch: list[_Job]) -> None:
        pad = self._tokenizer.pad_token_id
        if pad is None:
            pad = self._tokenizer.eos_token_id or 0
        longest = max(len(job.prompt_ids) for job in batch)
        ids = torch.full((len(batch), longest), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), longest), dtype=torch.long)
        for row, job in enumerate(batch):  # left padding keeps every last token aligned
            ids[row, longest - len(job.prompt_ids) :] = torch.tensor(job.prompt_ids)
            mask[row, longest - len(job.prompt_ids) :] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        active = [True] * len(batch)
        finish = ["length"] * len(batch)
        past = None
        step_ids, step_positions = ids, positions
        budget = max(job.max_tokens for job in batch)
        for _ in range(budget):
            out = self._model(
                input_ids=step_ids,
                attention_mask=mask,
                position_ids=step_positions,
                past_key_values=past,
                use_cache=True,
            )
            past = out.past_key_values
            logits = out.logits[:, -1, :].float().cpu()
            next_tokens = []
            for row, job in enumerate(batch):
                token = pad
                if active[row]:
                    if job.cancelled.is_set():
                        active[row], finish[row] = False, "abort"
                    else:
                        token = self._sample(job, logits[row])
                        if (
                            token < 0
                            or job.matcher.is_stopped()
                            or len(job.tokens) >= job.max_tokens
                        ):
                            active[row] = False
                            finish[row] = "stop" if job.matcher.is_stopped() else "length"
                            if token < 0:
                                token = pad
                next_tokens.append(token)
            if not any(active):
                break
            step_ids = torch.tensor(next_tokens, device=self.device).unsqueeze(1)
            step_positions = step_positions[:, -1:] + 1
            mask = torch.cat(
                [mask, torch.ones((len(batch), 1), dtype=mask.dtype, device=self.device)], dim=1
            )
        for row, job in enumerate(batch):
            text = self._tokenizer.decode(job.tokens, skip_special_tokens=True)
            _resolve(
                job,
                EngineOutput(
                    text=text, generated_tokens=len(job.tokens), finish_reason=finish[row]
                ),
            )

    def _sample(self, job: _Job, logits: torch.Tensor) -> int:
        """Sample one token allowed by the job's grammar; -1 when the grammar has ended."""
        matcher = job.matcher
        if matcher.is_stopped() or matcher.is_error():
            return -1
        allowed = np.frombuffer(matcher.compute_logit_bias(), dtype=np.uint8)
        vocab = min(allowed.shape[0], logits.shape[0])
        masked = torch.full_like(logits, float("-inf"))
        keep = torch.from_numpy(allowed[:vocab] > 0)
        masked[:vocab][keep] = logits[:vocab][keep]
        if not torch.isfinite(masked).any():
            return -1
        if job.temperature <= 0:
            token = int(masked.argmax())
        else:
            probs = torch.softmax(masked / job.temperature, dim=-1)
            token = int(torch.multinomial(probs, 1, generator=job.generator))
        if token == self._tokenizer.eos_token_id and matcher.is_accepting():
            matcher.consume_token(token)
            return -1
        matcher.consume_token(token)
        job.tokens.append(token)
        return token


def _resolve(job: _Job, result: EngineOutput | BaseException) -> None:
    def settle() -> None:
        if job.future.done():
            return
        if isinstance(result, BaseException):
            job.future.set_exception(result)
        else:
            job.future.set_result(result)

    job.loop.call_soon_threadsafe(settle)
