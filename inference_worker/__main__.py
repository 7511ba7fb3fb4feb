"""``python -m inference_worker --engine vllm|transformers --model NAME --host --port``."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from inference_worker.config import WorkerSettings


def parse_args(argv: list[str] | None = None) -> WorkerSettings:
    """Flags override environment variables (WORKER_*, and PORT), which override defaults."""
    parser = argparse.ArgumentParser(prog="python -m inference_worker", description=__doc__)
    parser.add_argument("--engine", choices=["transformers", "vllm"])
    parser.add_argument("--model", help="Hugging Face name or local path")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--device", help="transformers: auto, cpu, cuda or mps")
    parser.add_argument("--dtype", help="auto, float16 (half), bfloat16, float32; half on a T4")
    parser.add_argument("--max-model-len", type=int)
    parser.add_argument("--gpu-memory-utilization", type=float)
    parser.add_argument("--quantization", help="vLLM quantization, e.g. awq")
    parser.add_argument("--enable-prefix-caching", action="store_true", default=None)
    parser.add_argument("--download-dir", help="where weights are cached (e.g. on Drive)")
    parser.add_argument("--max-batch-size", type=int)
    parser.add_argument("--request-timeout", type=float)
    parser.add_argument("--max-field-chars", type=int)
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if v is not None}
    return WorkerSettings(**overrides)


def build_engine(settings: WorkerSettings):  # type: ignore[no-untyped-def]
    """The engine the settings name; vLLM is imported only when asked for."""
    if settings.engine == "vllm":
        from inference_worker.engines.vllm_engine import VLLMEngine

        return VLLMEngine(settings)
    from inference_worker.engines.transformers_engine import TransformersEngine

    return TransformersEngine(
        model=settings.model,
        device=settings.device,
        dtype=settings.dtype,
        max_batch_size=settings.max_batch_size,
    )


def main(argv: list[str] | None = None) -> int:
    """Start the worker."""
    settings = parse_args(argv)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    from inference_worker.app import create_app

    app = create_app(settings, build_engine(settings))
    print(
        f"inference worker: engine={settings.engine} model={settings.model} "
        f"on http://{settings.host}:{settings.port} (key {'required' if settings.api_key else 'not set'})",
        flush=True,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
