"""What the Colab notebook does, as functions the cells call (and the tests can run).

Colab-only modules (google.colab.userdata, google.colab.drive) are imported inside the functions
that need them, with a plain fallback (environment variables, no Drive) everywhere else.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

#: vLLM releases by the NVIDIA driver their wheels need. Current PyPI wheels are built for
#: CUDA 13 (driver >= 580); the 0.11 line was built for CUDA 12.8, which runs on the R525+
#: drivers through CUDA's minor-version compatibility and already has StructuredOutputsParams.
VLLM_FOR_DRIVER: tuple[tuple[int, str], ...] = (
    (580, "vllm>=0.12,<0.34"),
    (525, "vllm==0.11.0"),
)
DEFAULT_MODEL = "Qwen/Qwen2.5-7B-Instruct-AWQ"


class NotebookError(RuntimeError):
    """A problem the person running the notebook can fix; the message says how."""


@dataclass(frozen=True)
class GpuInfo:
    name: str
    driver: str
    memory_total_mb: int
    memory_free_mb: int


def setting(name: str, form_value: Any) -> Any:
    """A form field's value, unless the environment overrides it (IT_<NAME>, used by tests)."""
    override = os.environ.get(f"IT_{name}")
    if override is None:
        return form_value
    if isinstance(form_value, bool):
        return override.strip().lower() in {"1", "true", "yes"}
    if isinstance(form_value, int):
        return int(override)
    if isinstance(form_value, float):
        return float(override)
    return override


def parse_nvidia_smi(csv: str) -> GpuInfo:
    """Parse ``nvidia-smi --query-gpu=name,driver_version,memory.total,memory.free --format=csv,noheader,nounits``."""
    line = csv.strip().splitlines()[0]
    name, driver, total, free = (part.strip() for part in line.split(","))
    return GpuInfo(name=name, driver=driver, memory_total_mb=int(total), memory_free_mb=int(free))


def gpu_info() -> GpuInfo | None:
    """The first GPU, or None when nvidia-smi is missing or sees none."""
    try:
        result = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=name,driver_version,memory.total,memory.free",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_nvidia_smi(result.stdout) if result.stdout.strip() else None


def require_gpu(allow_cpu: bool = False) -> GpuInfo | None:
    """Print the GPU, or stop with a plain message when none is attached."""
    info = gpu_info()
    if info is None:
        if allow_cpu:
            print("No GPU found: continuing on the CPU (transformers engine).")
            return None
        raise NotebookError(
            "No GPU is attached. In Colab: Runtime → Change runtime type → T4 GPU → Save, "
            "then Runtime → Run all."
        )
    print(
        f"GPU: {info.name} · driver {info.driver} · "
        f"{info.memory_free_mb} MiB free of {info.memory_total_mb} MiB"
    )
    return info


def driver_major(driver: str) -> int:
    """535.104.05 → 535."""
    match = re.match(r"(\d+)", driver)
    if match is None:
        raise ValueError(f"not a driver version: {driver!r}")
    return int(match.group(1))


def vllm_requirement(driver: str) -> str | None:
    """The vLLM requirement whose wheels run on this driver, or None (use transformers)."""
    major = driver_major(driver)
    for minimum, requirement in VLLM_FOR_DRIVER:
        if major >= minimum:
            return requirement
    return None


def fetch_project(source: str, dest: Path = Path("/content/italian-teacher")) -> Path:
    """A git URL is cloned (or updated); a folder (e.g. on Drive) is used where it is."""
    if re.match(r"^(https?://|git@)", source):
        if (dest / ".git").exists():
            subprocess.run(["git", "-C", str(dest), "pull", "--ff-only"], check=True)
        else:
            subprocess.run(["git", "clone", "--depth", "1", source, str(dest)], check=True)
        return dest
    path = Path(source).expanduser()
    if not (path / "pyproject.toml").exists():
        raise NotebookError(
            f"PROJECT_SOURCE {source!r} is neither a git URL nor a folder with pyproject.toml; "
            "set it to the repository URL or to the project folder on Drive."
        )
    return path


def install(project: Path, driver: str | None) -> str:
    """Install the worker with the vLLM build the driver supports; returns the engine to use."""
    requirement = vllm_requirement(driver) if driver else None
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    if requirement is None:
        print("No vLLM build for this driver: installing the transformers engine on Colab's torch.")
        subprocess.run(
            [*pip, "-e", f"{project}[worker,notebook]", "transformers", "llguidance"], check=True
        )
        return "transformers"
    print(f"Installing the worker with {requirement} (driver {driver}); this takes a few minutes.")
    subprocess.run([*pip, "-e", f"{project}[worker,notebook]", requirement], check=True)
    try:
        subprocess.run([sys.executable, "-c", "import vllm"], check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        print(
            "vLLM does not import on this runtime "
            f"({exc.stderr.decode(errors='replace').strip().splitlines()[-1:]}); "
            "falling back to the transformers engine on the GPU."
        )
        subprocess.run([*pip, "transformers", "llguidance"], check=True)
        return "transformers"
    return "vllm"


def secret(name: str, required: bool = True) -> str | None:
    """A secret from Colab's secret store (or the environment outside Colab)."""
    value: str | None = None
    try:
        from google.colab import userdata  # type: ignore[import-not-found]

        try:
            value = userdata.get(name)
        except Exception:  # SecretNotFoundError, NotebookAccessError
            value = None
    except ImportError:
        value = os.environ.get(name)
    if not value and required:
        raise NotebookError(
            f"The secret {name} is missing: open the key icon (Secrets) in Colab's left bar, "
            f"add {name}, enable 'Notebook access', and run this cell again."
        )
    return value or None


def mount_drive_cache(folder: str) -> str | None:
    """Mount Google Drive and use ``folder`` on it as HF_HOME, so weights download once."""
    try:
        from google.colab import drive  # type: ignore[import-not-found]
    except ImportError:
        return None
    drive.mount("/content/drive")
    path = Path("/content/drive/MyDrive") / folder
    path.mkdir(parents=True, exist_ok=True)
    os.environ["HF_HOME"] = str(path)
    return str(path)


def new_api_key() -> str:
    """A random key for this session's worker."""
    return secrets.token_urlsafe(24)


def worker_command(engine: str, model: str, port: int, options: dict[str, Any]) -> list[str]:
    """The command line that starts the worker."""
    command = [
        sys.executable,
        "-m",
        "inference_worker",
        "--engine",
        engine,
        "--model",
        model,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    for flag, value in options.items():
        if value in (None, "", False):
            continue
        command.append(f"--{flag.replace('_', '-')}")
        if value is not True:
            command.append(str(value))
    return command


def start_worker(
    command: list[str], api_key: str, log_path: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start the worker in the background, its output going to ``log_path``."""
    env = {**os.environ, "WORKER_API_KEY": api_key, "PYTHONUNBUFFERED": "1"}
    log = log_path.open("wb")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)


def log_tail(log_path: Path, lines: int = 30) -> str:
    """The last lines of the worker's log."""
    if not log_path.exists():
        return "(no log)"
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def wait_until_ready(
    url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 1800
) -> dict[str, Any]:
    """Poll /health until the model is loaded, showing progress; fail with the log's tail."""
    started = time.monotonic()
    last_print = 0.0
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise NotebookError(
                f"The worker stopped (exit code {process.returncode}). Last lines of its log:\n"
                f"{log_tail(log_path)}"
            )
        try:
            response = httpx.get(f"{url}/health", timeout=5)
            body: dict[str, Any] = response.json()
            if response.status_code == 200:
                print(
                    f"Worker ready after {time.monotonic() - started:.0f} s: {body['engine']} · "
                    f"{body['model']} · {body['device']} {body.get('gpu_name') or ''}"
                )
                return body
            if body.get("status") == "error":
                raise NotebookError(
                    f"The model failed to load: {body.get('error')}\n{log_tail(log_path)}"
                )
        except (httpx.HTTPError, ValueError):
            pass
        elapsed = time.monotonic() - started
        if elapsed - last_print >= 15:
            last_line = log_tail(log_path, 1)
            print(f"… loading ({elapsed:.0f} s): {last_line[-120:]}")
            last_print = elapsed
        time.sleep(2)
    raise NotebookError(f"The worker was not ready within {timeout:.0f} s.\n{log_tail(log_path)}")


def open_tunnel(port: int, authtoken: str) -> Any:
    """An ngrok tunnel to the worker's port (pyngrok)."""
    from pyngrok import conf, ngrok

    conf.get_default().auth_token = authtoken
    return ngrok.connect(str(port), "http")


def export_lines(url: str, api_key: str) -> str:
    """The two lines to paste on the laptop before ./run_api.sh."""
    return f"export INFERENCE_API_URL={url}\nexport INFERENCE_API_KEY={api_key}"


def smoke_test(url: str, api_key: str) -> dict[str, Any]:
    """One real POST /generate with the key, and one without it (401 expected)."""
    request = {
        "cefr_level": "A2",
        "grammar_focus": "passato prossimo",
        "topic": "viaggi",
        "quantity": 3,
        "exercise_types": ["fill_in_blank", "translation"],
        "max_tokens": 1500,
        "temperature": 0.7,
    }
    headers = {"Authorization": f"Bearer {api_key}", "ngrok-skip-browser-warning": "true"}
    response = httpx.post(f"{url}/generate", json=request, headers=headers, timeout=600)
    if response.status_code != 200:
        raise NotebookError(f"/generate answered {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    for number, exercise in enumerate(body["exercises"], 1):
        print(f"{number}. [{exercise['type']}] {exercise['question']}")
        if exercise.get("options"):
            print(f"   options: {', '.join(exercise['options'])}")
        print(f"   answer: {exercise['correct_answer']} — {exercise['explanation']}")
    print(f"{body['generated_tokens']} tokens in {body['inference_time']:.1f} s · {body['model']}")
    unauthorized = httpx.post(
        f"{url}/generate", json=request, timeout=60, headers={"ngrok-skip-browser-warning": "true"}
    )
    print(f"Without the key: HTTP {unauthorized.status_code} (expected 401)")
    body["unauthorized_status"] = unauthorized.status_code
    return body


def stop(process: subprocess.Popen[bytes] | None, tunnel: Any = None) -> None:
    """Close the tunnel and stop the worker."""
    if tunnel is not None:
        from pyngrok import ngrok

        ngrok.disconnect(tunnel.public_url)
        ngrok.kill()
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
    print("Tunnel closed and worker stopped.")
