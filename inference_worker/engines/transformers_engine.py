"""The transformers engine: CPU, CUDA or MPS, for a laptop, a GPU box without vLLM, and the tests.

Requests wait in a queue; one background thread decodes up to ``max_batch_size`` of them
together, token by token, with one KV cache. Batching is continuous: a request that arrives while
others decode is prefilled on its own and joins the batch at the next step (its cache
left-padded to the batch's length, rows concatenated), and a finished one leaves it at once, so
nobody waits for a whole batch to end. ``continuous_batching=False`` keeps the older mode (a batch
gathered for up to ``batch_window`` seconds runs until its last request ends), for comparison.
Each sequence has its own llguidance matcher built from the request's JSON schema; at every step
the matchers fill a token bitmask and every token that would leave the schema is masked out
before sampling, so the output is always JSON of the right shape. A cancelled request (the
client went away, or its time ran out) leaves the batch at the next step.
"""

from __future__ import annotations

import asyncio
import inspect
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
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache
from transformers.cache_utils import DynamicLayer

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
    finish: str = "length"


@dataclass
class _Batch:
    """Sequences decoded together: one KV cache, one attention mask, the next logits per row.

    Rows are left-padded (mask 0) so every row's last token sits in the last column; positions
    are tracked per row, so rows that joined at different times each keep their own.
    """

    jobs: list[_Job]
    cache: Any
    mask: torch.Tensor  # (rows, columns), 1 where a column holds a real token of that row
    positions: torch.Tensor  # (rows, 1), the position of each row's last token
    logits: torch.Tensor  # (rows, vocab), next-token logits of each row, on the CPU

    def layers(self) -> list[Any]:
        return list(self.cache.layers)

    def mergeable(self) -> bool:
        """Plain per-layer key/value tensors: what ``join`` and ``keep`` know how to reshape."""
        return all(type(layer) is DynamicLayer for layer in self.layers())

    def join(self, other: _Batch) -> None:
        """Append ``other``'s rows, left-padding whichever cache is shorter."""
        width = max(self.mask.shape[1], other.mask.shape[1])
        for mine, theirs in zip(self.layers(), other.layers(), strict=True):
            mine.keys = torch.cat([_pad_left(mine.keys, width), _pad_left(theirs.keys, width)])
            mine.values = torch.cat(
                [_pad_left(mine.values, width), _pad_left(theirs.values, width)]
            )
        self.mask = torch.cat([_pad_left(self.mask, width), _pad_left(other.mask, width)])
        self.positions = torch.cat([self.positions, other.positions])
        self.logits = torch.cat([self.logits, other.logits])
        self.jobs += other.jobs

    def keep(self, rows: list[int]) -> None:
        """Drop every other row, then the leading columns that are padding in every row left."""
        index = torch.tensor(rows, device=self.mask.device)
        self.mask = self.mask[index]
        self.positions = self.positions[index]
        self.logits = self.logits[index.cpu()]
        self.jobs = [self.jobs[row] for row in rows]
        if not self.mergeable():  # a cache of another kind (sliding windows): its own method
            self.cache.batch_select_indices(index)
            return
        used = self.mask.any(dim=0).nonzero()
        start = int(used[0]) if len(used) else 0
        self.mask = self.mask[:, start:]
        for layer in self.layers():
            layer.keys = layer.keys[index, :, start:]
            layer.values = layer.values[index, :, start:]


def _pad_left(tensor: torch.Tensor, width: int) -> torch.Tensor:
    """Zeros before the sequence axis (the last for a mask, the third for keys and values)."""
    axis = 1 if tensor.dim() == 2 else 2
    missing = width - tensor.shape[axis]
    if missing == 0:
        return tensor
    shape = list(tensor.shape)
    shape[axis] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=axis)


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
        continuous_batching: bool = True,
    ) -> None:
        self.model_name = model
        self.device = pick_device(device)
        self.dtype = pick_dtype(dtype, self.device)
        self.max_batch_size = max_batch_size
        self.threads = threads
        self.batch_window = batch_window
        self.continuous_batching = continuous_batching
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
        self._cache_keyword = "past_key_values"
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
        # transformers 5 renamed the forward's ``past_key_values`` to ``cache``.
        if "cache" in inspect.signature(self._model.forward).parameters:
            self._cache_keyword = "cache"
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
        batch: _Batch | None = None
        while True:
            joining = self._admit(batch)
            if joining is None:  # closing
                for job in batch.jobs if batch else []:
                    _resolve(job, RuntimeError("the engine was closed"))
                return
            try:
                if joining:
                    arrived = self._prefill(joining)
                    if batch is None:
                        batch = arrived
                    else:
                        batch.join(arrived)
                if batch is not None:
                    self._running = len(batch.jobs)
                    batch = self._step(batch)
            except Exception as exc:  # one broken batch must not kill the worker
                jobs = (batch.jobs if batch else []) + joining
                logger.exception("engine.batch_failed size=%d", len(jobs))
                for job in jobs:
                    _resolve(job, exc)
                batch = None
            finally:
                self._running = len(batch.jobs) if batch else 0

    def _admit(self, batch: _Batch | None) -> list[_Job] | None:
        """Requests that start now (None to stop): at every step when batching is continuous."""
        room = self.max_batch_size - (len(batch.jobs) if batch else 0)
        if batch is not None and not (self.continuous_batching and batch.mergeable()):
            return []
        joining: list[_Job] = []
        if batch is None:
            first = self._queue.get()  # idle: sleep until a request comes
            if first is None:
                return None
            joining.append(first)
        # Continuous: whoever is waiting joins at once. One batch at a time: requests of one
        # burst reach the queue milliseconds apart, so the batch waits up to ``batch_window``
        # for the rest of the burst rather than leaving it queued behind a batch of one.
        window = 0.0 if self.continuous_batching else self.batch_window
        gather_until = time.monotonic() + window
        while len(joining) < room:
            try:
                job = self._queue.get(timeout=max(0.0, gather_until - time.monotonic()))
            except queue.Empty:
                break
            if job is None:
                self._queue.put(None)  # stop after this step
                break
            joining.append(job)
        for job in joining:
            if job.cancelled.is_set():
                _resolve(job, EngineOutput(text="", generated_tokens=0, finish_reason="abort"))
        return [job for job in joining if not job.cancelled.is_set()]

    def _forward(self, batch_ids: torch.Tensor, batch: _Batch) -> torch.Tensor:
        out = self._model(
            input_ids=batch_ids,
            attention_mask=batch.mask,
            position_ids=batch.positions,
            use_cache=True,
            **{self._cache_keyword: batch.cache},
        )
        logits: torch.Tensor = out.logits[:, -1, :].float().cpu()
        return logits

    @torch.inference_mode()
    def _prefill(self, jobs: list[_Job]) -> _Batch:
        """Run the prompts of newly admitted requests (left-padded together) into a new cache."""
        size = len(jobs)
        pad = self._pad_id()
        longest = max(len(job.prompt_ids) for job in jobs)
        ids = torch.full((size, longest), pad, dtype=torch.long)
        mask = torch.zeros((size, longest), dtype=torch.long)
        for row, job in enumerate(jobs):  # left padding keeps every last token aligned
            ids[row, longest - len(job.prompt_ids) :] = torch.tensor(job.prompt_ids)
            mask[row, longest - len(job.prompt_ids) :] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        out = self._model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            use_cache=True,
            **{self._cache_keyword: (cache := DynamicCache())},
        )
        return _Batch(
            jobs=list(jobs),
            cache=cache,
            mask=mask,
            positions=positions[:, -1:],
            logits=out.logits[:, -1, :].float().cpu(),
        )

    def _pad_id(self) -> int:
        pad = self._tokenizer.pad_token_id
        if pad is None:
            pad = self._tokenizer.eos_token_id or 0
        return int(pad)

    @torch.inference_mode()
    def _step(self, batch: _Batch) -> _Batch | None:
        """Sample one token per row, let finished rows go, and run the rest one step further."""
        size = len(batch.jobs)
        eos = self._tokenizer.eos_token_id
        live = [row for row, job in enumerate(batch.jobs) if not job.cancelled.is_set()]
        for row in set(range(size)) - set(live):
            batch.jobs[row].finish = "abort"
        bitmask = allocate_token_bitmask(size, self._vocab_size)
        if live:  # every matcher fills its row of the mask in parallel, without the GIL
            fill_next_token_bitmask_par(
                self._executor, [(batch.jobs[row].matcher, row) for row in live], bitmask
            )
        allowed = allowed_tokens(bitmask, batch.logits.shape[-1])
        going: list[int] = []
        next_tokens: list[int] = []
        for row in live:
            job = batch.jobs[row]
            token = self._sample(job, batch.logits[row], allowed[row])
            if token is None or token == eos:
                job.finish = "stop"
                continue
            job.matcher.consume_token(token)
            job.tokens.append(token)
            job.task.report(len(job.tokens), self._tokenizer.decode([token]))
            if job.matcher.is_stopped():
                job.finish = "stop"
            elif len(job.tokens) < job.task.request.max_tokens:
                going.append(row)
                next_tokens.append(token)
        self._running = len(going)  # before anyone hears of the end: /health agrees at once
        for row, job in enumerate(batch.jobs):
            if row not in going:
                text = self._tokenizer.decode(job.tokens, skip_special_tokens=True)
                output = EngineOutput(
                    text=text, generated_tokens=len(job.tokens), finish_reason=job.finish
                )
                _resolve(job, output)
        if not going:
            return None
        if len(going) < size:
            batch.keep(going)
        ones = torch.ones((len(going), 1), dtype=batch.mask.dtype, device=self.device)
        batch.mask = torch.cat([batch.mask, ones], dim=1)
        batch.positions = batch.positions + 1
        ids = torch.tensor(next_tokens, device=self.device).unsqueeze(1)
        batch.logits = self._forward(ids, batch)
        return batch

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
