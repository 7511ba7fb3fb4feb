# The inference worker on a GPU: vLLM behind POST /generate, listening on $PORT (8080).
#   docker build -t italian-teacher-worker .
#   docker run --gpus all -p 8080:8080 -e WORKER_API_KEY=change-me \
#     -v $HOME/.cache/huggingface:/root/.cache/huggingface italian-teacher-worker \
#     --model Qwen/Qwen2.5-7B-Instruct-AWQ --quantization awq --dtype half --max-model-len 4096
#
# CUDA: the base image and the vLLM line agree on CUDA 12. vLLM 0.19 is the last line whose PyPI
# wheels are built for CUDA 12 (12.9, with torch 2.10 on CUDA 12.8); from 0.20 on they are built
# for CUDA 13 (vllm-project/vllm#39878). The CUDA libraries come with those wheels, so the host
# needs an NVIDIA driver >= 525.60.13 (R525, CUDA 12 minor-version compatibility), not R580.
# NVIDIA_REQUIRE_CUDA is relaxed to that floor, because the base image's own check (cuda>=12.9)
# would refuse to start the container on a CUDA 12 driver older than 575 outside its listed
# branches. For vLLM >= 0.20 (CUDA 13, driver >= 580), build with
#   --build-arg VLLM_REQUIREMENT="vllm>=0.20" and move FROM to an nvidia/cuda:13.0.x image;
# tests/notebooks/test_dockerfile.py checks that the two agree. See docs/worker.md.
FROM nvidia/cuda:12.9.1-base-ubuntu24.04

ARG VLLM_REQUIREMENT="vllm>=0.19,<0.20"

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8080 \
    WORKER_HOST=0.0.0.0 \
    WORKER_ENGINE=vllm \
    NVIDIA_REQUIRE_CUDA="cuda>=12.0"

RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python3-dev curl build-essential \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app
COPY pyproject.toml README.md ./
COPY inference_worker ./inference_worker
COPY api ./api
RUN pip install --upgrade pip && pip install ".[vllm]" "${VLLM_REQUIREMENT}"

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=600s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["python3", "-m", "inference_worker"]
CMD ["--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--quantization", "awq", "--dtype", "half", "--max-model-len", "4096"]
