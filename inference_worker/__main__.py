"""``python -m inference_worker --engine vllm|transformers|openai --model NAME --host --port``."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn
from pydantic import ValidationError

from inference_worker.config import WorkerSettings
from inference_worker.engines import Engine, EngineInfo


def parse_args(argv: list[str] | None = None) -> WorkerSettings:
    """Flags override environment variables (WORKER_*, and PORT), which override defaults."""
    parser = argparse.ArgumentParser(
        prog="python -m inference_worker",
        description="Italian Teacher inference worker. Every flag also reads WORKER_<FLAG> "
        "from the environment (WORKER_API_KEY only from there); PORT is honoured.",
    )
    parser.add_argument("--engine", choices=["transformers", "vllm", "openai"])
    parser.add_argument("--model", help="Hugging Face name or local path")
    parser.add_argument("--host", help="default 127.0.0.1; 0.0.0.0 in a container")
    parser.add_argument("--port", type=int, help="default 8001, or $PORT")
    parser.add_argument("--device", help="transformers: auto, cpu, cuda or mps")
    parser.add_argument(
        "--dtype", help="auto, half/float16 (a T4 has no bfloat16), bfloat16, float32"
    )
    parser.add_argument("--threads", type=int, help="transformers on CPU: torch threads")
    parser.add_argument("--max-model-len", type=int, help="vLLM context length")
    parser.add_argument("--gpu-memory-utilization", type=float, help="vLLM share of GPU memory")
    parser.add_argument("--quantization", help="vLLM quantization, e.g. awq")
    parser.add_argument(
        "--enable-prefix-caching",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="vLLM prefix caching (default: vLLM's, which is on)",
    )
    parser.add_argument("--download-dir", help="where weights are cached (e.g. on Drive)")
    parser.add_argument("--max-num-seqs", type=int, help="vLLM: sequences per batch")
    parser.add_argument(
        "--structured-outputs-backend",
        choices=["auto", "guidance", "xgrammar"],
        help="vLLM constraint backend (default guidance)",
    )
    parser.add_argument("--max-batch-size", type=int, help="transformers: requests per batch")
    parser.add_argument(
        "--continuous-batching",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="transformers: requests join a running batch at the next step (default on)",
    )
    parser.add_argument("--max-queue", type=int, help="requests in progress before 503")
    parser.add_argument("--request-timeout", type=float, help="seconds before 504")
    parser.add_argument("--max-field-chars", type=int, help="longest string in an exercise")
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument(
        "--upstream",
        help="openai engine: an OpenAI-compatible server's URL (key: UPSTREAM_API_KEY)",
    )
    parser.add_argument("--upstream-model", help="openai engine: model name on the upstream")
    parser.add_argument(
        "--upstream-timeout", type=float, help="openai engine: seconds of silence before 504"
    )
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if v is not None}
    try:
        return WorkerSettings(**overrides)
    except ValidationError as exc:
        reasons = "; ".join(
            str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        )
        parser.exit(2, f"inference worker: {reasons}\n")


def build_engine(settings: WorkerSettings) -> Engine:
    """The engine the settings name; vLLM (or torch) is imported only when asked for."""
    if settings.engine == "openai":
        from inference_worker.engines.openai_engine import OpenAIEngine

        return OpenAIEngine(settings)
    if settings.engine == "vllm":
        from inference_worker.engines.vllm_engine import VLLMEngine

        return VLLMEngine(settings)
    from inference_worker.engines.transformers_engine import TransformersEngine

    return TransformersEngine(
        model=settings.model,
        device=settings.device,
        dtype=settings.dtype,
        max_batch_size=settings.max_batch_size,
        threads=settings.threads,
        continuous_batching=settings.continuous_batching,
    )


def startup_line(settings: WorkerSettings, info: EngineInfo) -> str:
    """What the worker prints as it starts: the engine, the model it serves, where, the key."""
    # The engine's model, not ``--model``: the openai engine serves the upstream's, which it
    # learns from ``--upstream-model`` or, when that is unset, from the upstream once it answers.
    upstream = info.extra.get("upstream")
    model = info.model or f"the first one {upstream}/models lists"
    served = f"model={model}" + (f" upstream={upstream}" if upstream else "")
    key = "required" if settings.api_key else "not set"
    return (
        f"inference worker: engine={info.engine} {served} "
        f"on http://{settings.host}:{settings.port} (key {key})"
    )


def main(argv: list[str] | None = None) -> int:
    """Start the worker."""
    settings = parse_args(argv)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    from inference_worker.app import create_app

    engine = build_engine(settings)
    app = create_app(settings, engine)
    print(startup_line(settings, engine.info), flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
