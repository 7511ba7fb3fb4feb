"""The transformers engine: CPU, CUDA or MPS, for a laptop, a GPU box without vLLM, and the tests.

Requests wait in a queue; one background thread takes up to ``max_batch_size`` of them and
decodes them together, token by token, with a KV cache (one batch at a time: simple, and what a
laptop needs). Each sequence has its own llguidance matcher built from the request's JSON
schema; at every step the matchers fill a token bitmask and every token that would leave the
schema is masked out before sampling, so the output is always JSON of the right shape. A
cancelled request (the client went away, or its time ran out) leaves the batch at the next step.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import torch
from llguidance import LLExecutor, LLMatcher
from llguidance.hf import from_tokenizer
from llguidance.torch import allocate_token_bitmask, fill_next_token_bitmask_par
from transformers import AutoModelForCausalLM, AutoTokenizer

from inference_worker.engines import EngineInfo, EngineOutput, GenerationTask
from inference_worker.prompts import render_prompt

logger = logging.getLogger("inference_worker.transformers")

_DTYPES = {
    "float16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float": torch.float32,
}
_BIT_POSITIONS = torch.arange(32, dtype=torch.int32)
SMALL_MODEL_PARAMETERS = 20_000_000


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


def allowed_tokens(bitmask: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Unpack llguidance's int32 bitmask (batch, ceil(vocab/32)) into booleans (batch, vocab)."""
    bits = (bitmask.unsqueeze(-1) >> _BIT_POSITIONS) & 1
    return bits.reshape(bitmask.shape[0], -1)[:, :vocab_size].bool()


@dataclass
class _Job:
    task: GenerationTask
    matcher: LLMatcher
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[EngineOutput]
    prompt_ids: list[int] = field(default_factory=list)
    generator: torch.Generator = field(default_factory=torch.Generator)
    cancelled: threading.Event = field(default_factory=threading.Event)
    tokens: list[int] = field(default_factory=list)


class TransformersEngine:
    """AutoModelForCausalLM with schema-constrained sampling, batched in a background thread."""

    def __init__(
        self,
        *,
        model: str,
        device: str = "auto",
        dtype: str = "auto",
        max_batch_size: int = 8,
        threads: int | None = None,
        batch_window: float = 0.05,
    ) -> None:
        self.model_name = model
        self.device = pick_device(device)
        self.dtype = pick_dtype(dtype, self.device)
        self.max_batch_size = max_batch_size
        self.threads = threads
        self.batch_window = batch_window
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
        self._vocab_size = 0
        self._executor = LLExecutor(num_threads=max(1, min(4, max_batch_size)))

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
        threads = self.threads
        if threads is None and self.device == "cpu":
            parameters = sum(p.numel() for p in self._model.parameters())
            # A tiny model's matmuls take microseconds; with several threads, synchronising them
            # costs milliseconds per step (far worse on a busy machine), so one thread wins.
            threads = 1 if parameters < SMALL_MODEL_PARAMETERS else None
        if threads is not None:
            torch.set_num_threads(threads)
        self._vocab_size = max(self._model.config.vocab_size, len(self._tokenizer))
        self._ll_tokenizer = from_tokenizer(self._tokenizer, n_vocab=self._vocab_size)
        logger.info("engine.loaded model=%s device=%s", self.model_name, self.device)

    async def generate(self, task: GenerationTask) -> EngineOutput:
        """Queue the task and wait for its batch; cancelling it drops it from the batch."""
        matcher, prompt_ids = await asyncio.to_thread(self._prepare, task)
        loop = asyncio.get_running_loop()
        job = _Job(
            task=task,
            matcher=matcher,
            loop=loop,
            future=loop.create_future(),
            prompt_ids=prompt_ids,
            generator=torch.Generator().manual_seed(task.seed),
        )
        self._queue.put(job)
        try:
            return await asyncio.shield(job.future)
        except asyncio.CancelledError:
            job.cancelled.set()
            raise

    def _prepare(self, task: GenerationTask) -> tuple[LLMatcher, list[int]]:
        """Compile the schema and tokenize the prompt, off the event loop."""
        # Compact JSON: free whitespace between tokens would let a weak model waste its budget.
        grammar = LLMatcher.grammar_from_json_schema(
            task.schema, overrides={"whitespace_flexible": False}
        )
        matcher = LLMatcher(self._ll_tokenizer, grammar, log_level=0)
        if matcher.is_error():
            raise ValueError(f"schema rejected by the constraint engine: {matcher.get_error()}")
        prompt = render_prompt(self._tokenizer, task.messages)
        prompt_ids: list[int] = self._tokenizer.encode(prompt, add_special_tokens=False)
        return matcher, prompt_ids

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
            # Requests of one burst reach the queue milliseconds apart (more on a busy machine);
            # batches run to completion, so waiting up to 50 ms for the rest of the burst beats
            # leaving it queued behind a batch of one (measured: +35% HTTP time at 10 ms, +3% at 50).
            gather_until = time.monotonic() + self.batch_window
            while len(batch) < self.max_batch_size:
                try:
                    job = self._queue.get(timeout=max(0.0, gather_until - time.monotonic()))
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
                logger.exception("engine.batch_failed size=%d", len(batch))
                for job in batch:
                    _resolve(job, exc)
            finally:
                self._running = 0

    @torch.inference_mode()
    def _run_batch(self, batch: list[_Job]) -> None:
        size = len(batch)
        pad = self._tokenizer.pad_token_id
        if pad is None:
            pad = self._tokenizer.eos_token_id or 0
        eos = self._tokenizer.eos_token_id
        longest = max(len(job.prompt_ids) for job in batch)
        ids = torch.full((size, longest), pad, dtype=torch.long)
        mask = torch.zeros((size, longest), dtype=torch.long)
        for row, job in enumerate(batch):  # left padding keeps every last token aligned
            ids[row, longest - len(job.prompt_ids) :] = torch.tensor(job.prompt_ids)
            mask[row, longest - len(job.prompt_ids) :] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        bitmask = allocate_token_bitmask(size, self._vocab_size)
        active = [True] * size
        finish = ["length"] * size
        past = None
        step_ids, step_positions = ids, positions
        for _ in range(max(job.task.request.max_tokens for job in batch)):
            out = self._model(
                input_ids=step_ids,
                attention_mask=mask,
                position_ids=step_positions,
                past_key_values=past,
                use_cache=True,
            )
            past = out.past_key_values
            logits = out.logits[:, -1, :].float().cpu()
            for row, job in enumerate(batch):
                if active[row] and job.cancelled.is_set():
                    active[row], finish[row] = False, "abort"
            rows = [(batch[row].matcher, row) for row in range(size) if active[row]]
            if rows:  # every matcher fills its row of the mask in parallel, without the GIL
                fill_next_token_bitmask_par(self._executor, rows, bitmask)
            allowed = allowed_tokens(bitmask, logits.shape[-1])
            next_tokens = [pad] * size
            for row, job in enumerate(batch):
                if not active[row]:
                    continue
                token = self._sample(job, logits[row], allowed[row])
                if token is None or token == eos:
                    active[row], finish[row] = False, "stop"
                    continue
                job.matcher.consume_token(token)
                job.tokens.append(token)
                job.task.report(len(job.tokens), self._tokenizer.decode([token]))
                next_tokens[row] = token
                if job.matcher.is_stopped():
                    active[row], finish[row] = False, "stop"
                elif len(job.tokens) >= job.task.request.max_tokens:
                    active[row] = False
            if not any(active):
                break
            step_ids = torch.tensor(next_tokens, device=self.device).unsqueeze(1)
            step_positions = step_positions[:, -1:] + 1
            mask = torch.cat([mask, torch.ones((size, 1), dtype=mask.dtype, device=self.device)], 1)
        for row, job in enumerate(batch):
            text = self._tokenizer.decode(job.tokens, skip_special_tokens=True)
            output = EngineOutput(
                text=text, generated_tokens=len(job.tokens), finish_reason=finish[row]
            )
            _resolve(job, output)

    @staticmethod
    def _sample(job: _Job, logits: torch.Tensor, allowed: torch.Tensor) -> int | None:
        """One token the grammar allows, or None when it allows none (the JSON is complete)."""
        if job.matcher.is_stopped() or job.matcher.is_error() or not bool(allowed.any()):
            return None
        masked = logits.masked_fill(~allowed, float("-inf"))
        temperature = job.task.request.temperature
        if temperature <= 0:
            return int(masked.argmax())
        probs = torch.softmax(masked / temperature, dim=-1)
        return int(torch.multinomial(probs, 1, generator=job.generator))


def _resolve(job: _Job, result: EngineOutput | BaseException) -> None:
    def settle() -> None:
        if job.future.done():
            return
        if isinstance(result, BaseException):
            job.future.set_exception(result)
        else:
            job.future.set_result(result)

    job.loop.call_soon_threadsafe(settle)
