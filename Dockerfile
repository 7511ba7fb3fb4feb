# The inference worker on a GPU: vLLM behind POST /generate, listening on $PORT (8080).
#   docker build -t italian-teacher-worker .
#   docker run --gpus all -p 8080:8080 -e WORKER_API_KEY=change-me \
#     -v $HOME/.cache/huggingface:/root/.cache/huggingface italian-teacher-worker \
#     --model Qwen/Qwen2.5-7B-Instruct-AWQ --quantization awq --dtype half --max-model-len 4096
# The CUDA user-space libraries come with the vLLM/torch wheels; the host needs an NVIDIA driver
# recent enough for them (vLLM's current wheels: driver >= 580; see docs/worker.md).
FROM nvidia/cuda:12.9.1-base-ubuntu24.04

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8080 \
    WORKER_HOST=0.0.0.0 \
    WORKER_ENGINE=vllm

RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python3-dev curl build-essential \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app
COPY pyproject.toml README.md ./
COPY inference_worker ./inference_worker
COPY api ./api
RUN pip install --upgrade pip && pip install ".[vllm]"

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=600s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["python3", "-m", "inference_worker"]
CMD ["--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--quantization", "awq", "--dtype", "half", "--max-model-len", "4096"]
