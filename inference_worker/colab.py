"""What the Colab notebook (``notebooks/colab_worker.ipynb``) does, as functions its cells call.

The cells stay short; everything that can go wrong is here, where the tests reach it. Only the
standard library is imported at module level: the notebook imports this module before it has
installed anything. Colab-only modules (``google.colab.userdata``, ``google.colab.drive``) are
imported inside the functions that need them, with a plain fallback elsewhere (secrets from the
environment, weights in the default cache), so the whole notebook also runs on a laptop or in CI.

Every form field of the notebook can be overridden by an ``IT_<FIELD>`` environment variable
(``IT_ENGINE``, ``IT_MODEL``, ``IT_PROJECT_SOURCE``, ``IT_NO_TUNNEL=1`` ...); the tests use them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inference_worker.contract import GenerateResponse

DEFAULT_MODEL = "Qwen/Qwen2.5-7B-Instruct-AWQ"
#: What the transformers engine loads when the chosen model is quantized for vLLM only.
FALLBACK_MODEL = "Qwen/Qwen2.5-3B-Instruct"
ENGINES = ("auto", "vllm", "transformers")

#: The vLLM line whose PyPI wheels run on a given NVIDIA driver (its major version, at least),
#: added to the ``vllm`` extra's own range. vLLM 0.20 made CUDA 13.0 its default PyPI build
#: (vllm-project/vllm#39878) with torch 2.11, whose PyPI wheels are CUDA 13.0 too; CUDA 13 needs
#: driver >= 580. vLLM 0.19 is the last line built for CUDA 12.9, on torch 2.10 (CUDA 12.8 on
#: PyPI), and CUDA 12.x binaries run on any driver >= 525.60.13 (CUDA minor-version
#: compatibility): Colab's T4 runtime has driver 550 (CUDA 12.4).
VLLM_BY_DRIVER: tuple[tuple[int, str], ...] = (
    (580, "vllm>=0.20"),
    (525, "vllm<0.20"),
)

#: Modules each engine needs in the notebook's Python (the project's extras bring them).
_WORKER_MODULES = (
    "fastapi",
    "uvicorn",
    "pydantic_settings",
    "prometheus_client",
    "httpx",
    "pyngrok",
    "torch",
    "transformers",
    "llguidance",
)
NEEDED_MODULES: dict[str, tuple[str, ...]] = {
    "transformers": _WORKER_MODULES,
    "vllm": (*_WORKER_MODULES, "vllm"),
}

SMOKE_REQUEST: dict[str, Any] = {
    "cefr_level": "A2",
    "grammar_focus": "passato prossimo",
    "topic": "viaggi",
    "quantity": 3,
    "exercise_types": ["fill_in_blank", "translation"],
    "max_tokens": 1500,
    "temperature": 0.7,
}
#: ngrok's free plan shows browsers a warning page first; this header skips it for API calls.
NGROK_HEADERS = {"ngrok-skip-browser-warning": "true"}


class NotebookError(RuntimeError):
    """A problem the person running the notebook can fix; the message says how."""


class PipFailed(NotebookError):
    """pip exited with an error; ``tail`` holds its last lines."""

    def __init__(self, returncode: int, tail: Sequence[str]) -> None:
        super().__init__(pip_failure_message(returncode, tail))
        self.returncode = returncode
        self.tail = list(tail)


@dataclass(frozen=True)
class GpuInfo:
    name: str
    driver: str
    memory_total_mb: int
    memory_free_mb: int


@dataclass(frozen=True)
class Settings:
    """The notebook's form, after the ``IT_*`` overrides."""

    model: str
    quantization: str | None
    fallback_model: str
    max_model_len: int
    gpu_memory_utilization: float
    cache_on_drive: bool
    port: int
    no_tunnel: bool


@dataclass
class Worker:
    """The worker process the notebook started, and what its /health said when it was ready."""

    process: subprocess.Popen[bytes]
    engine: str
    model: str
    url: str
    log_path: Path
    health: dict[str, Any]


@dataclass(frozen=True)
class SmokeResult:
    response: GenerateResponse
    unauthorized_status: int


# --- settings ------------------------------------------------------------------------------------


def setting(name: str, form_value: Any) -> Any:
    """A form field's value, unless ``IT_<NAME>`` overrides it (converted to the field's type)."""
    override = os.environ.get(f"IT_{name}")
    if override is None:
        return form_value
    if isinstance(form_value, bool):
        return parse_bool(override)
    if isinstance(form_value, int):
        return int(override)
    if isinstance(form_value, float):
        return float(override)
    return override


def parse_bool(text: str) -> bool:
    """1/true/yes/on or 0/false/no/off (any case)."""
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def read_settings(
    *,
    model: str,
    quantization: str,
    fallback_model: str,
    max_model_len: int,
    gpu_memory_utilization: float,
    cache_on_drive: bool,
    port: int = 8001,
    no_tunnel: bool = False,
) -> Settings:
    """The settings cell's form, with ``IT_*`` overrides; ``none`` means no quantization."""
    quant = str(setting("QUANTIZATION", quantization)).strip().lower()
    share = float(setting("GPU_MEMORY_UTILIZATION", gpu_memory_utilization))
    if not 0.1 <= share <= 0.98:
        raise NotebookError(f"GPU_MEMORY_UTILIZATION must be between 0.1 and 0.98, not {share}.")
    return Settings(
        model=str(setting("MODEL", model)).strip(),
        quantization=None if quant in {"", "none"} else quant,
        fallback_model=str(setting("FALLBACK_MODEL", fallback_model)).strip(),
        max_model_len=int(setting("MAX_MODEL_LEN", max_model_len)),
        gpu_memory_utilization=share,
        cache_on_drive=bool(setting("CACHE_ON_DRIVE", cache_on_drive)),
        port=int(setting("PORT", port)),
        no_tunnel=bool(setting("NO_TUNNEL", no_tunnel)),
    )


# --- the GPU and the vLLM build it can run -------------------------------------------------------


def parse_nvidia_smi(csv: str) -> GpuInfo:
    """The first GPU of ``nvidia-smi --query-gpu=name,driver_version,memory.total,memory.free
    --format=csv,noheader,nounits``."""
    lines = [line for line in csv.strip().splitlines() if line.strip()]
    if not lines:
        raise ValueError("nvidia-smi listed no GPU")
    name, driver, total, free = (part.strip() for part in lines[0].split(","))
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
        return parse_nvidia_smi(result.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def require_gpu(allow_cpu: bool = False) -> GpuInfo | None:
    """Print the GPU in one line, or stop with a plain message when none is attached."""
    info = gpu_info()
    if info is None:
        if allow_cpu:
            print("No GPU: continuing on the CPU (IT_ALLOW_CPU=1), transformers engine only.")
            return None
        raise NotebookError(
            "No GPU is attached. Runtime → Change runtime type → T4 GPU → Save, "
            "then Runtime → Run all."
        )
    print(
        f"GPU: {info.name} · driver {info.driver} · "
        f"{info.memory_free_mb} MiB free of {info.memory_total_mb} MiB"
    )
    return info


def driver_major(driver: str) -> int:
    """``550.54.15`` → 550."""
    match = re.match(r"\s*(\d+)", driver)
    if match is None:
        raise ValueError(f"not an NVIDIA driver version: {driver!r}")
    return int(match.group(1))


def vllm_requirement(driver: str) -> str | None:
    """The vLLM requirement whose PyPI wheels run on this driver, or None when none does."""
    major = driver_major(driver)
    for minimum, requirement in VLLM_BY_DRIVER:
        if major >= minimum:
            return requirement
    return None


def choose_engine(requested: str, driver: str | None) -> str:
    """``auto`` is vLLM when the driver has a vLLM build, else transformers; vLLM needs a GPU."""
    if requested not in ENGINES:
        raise NotebookError(f"ENGINE must be one of {', '.join(ENGINES)}, not {requested!r}.")
    has_build = driver is not None and vllm_requirement(driver) is not None
    if requested == "transformers" or (requested == "auto" and not has_build):
        return "transformers"
    if not has_build:
        where = f"driver {driver}" if driver else "a machine without a GPU"
        print(f"No vLLM build runs on {where}: using the transformers engine instead.")
        return "transformers"
    return "vllm"


# --- the project and its install -----------------------------------------------------------------


def missing_modules(engine: str) -> list[str]:
    """The modules this engine needs that the notebook's Python cannot import yet."""
    return [name for name in NEEDED_MODULES[engine] if importlib.util.find_spec(name) is None]


def pip_command(project: Path, extras: Sequence[str], *requirements: str) -> list[str]:
    """``python -m pip install -e 'project[extras]' requirements…`` (not quiet: its progress shows)."""
    target = f"{project}[{','.join(extras)}]" if extras else str(project)
    return [sys.executable, "-m", "pip", "install", "-e", target, *requirements]


def install(project: Path, *, engine: str, driver: str | None) -> str:
    """Install the worker for ``engine``; returns the engine that can actually run.

    A no-op when everything is importable already (a re-run, or a local checkout that is
    installed). vLLM comes with the pin the driver needs; if pip cannot install it or it does
    not import, the transformers engine (installed alongside) is used instead, and this says so.
    """
    missing = missing_modules(engine)
    if not missing:
        print(f"The worker and the {engine} engine are already installed: nothing to install.")
        return engine
    base = ("transformers", "notebook")
    if engine == "transformers":
        print("Installing the worker with the transformers engine (Colab's own torch).")
        _run(pip_command(project, base))
        return "transformers"
    requirement = vllm_requirement(driver or "0")
    if requirement is None:  # choose_engine never asks for vLLM then; kept for direct callers
        raise NotebookError(f"No vLLM build runs on driver {driver}; use ENGINE=transformers.")
    print(
        f"Installing the worker with {requirement} (driver {driver}); "
        "this takes a few minutes (vLLM brings its own torch)."
    )
    try:
        _run(pip_command(project, (*base, "vllm"), requirement))
    except PipFailed as failure:
        print(
            f"pip could not install vLLM (exit code {failure.returncode}); its last lines:\n"
            + "\n".join(failure.tail)
            + "\nFalling back to the transformers engine on the GPU."
        )
        _run(pip_command(project, base))
        return "transformers"
    probe = subprocess.run(
        [sys.executable, "-c", "import vllm"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        print(
            f"vLLM does not import ({reason}): falling back to the transformers engine on the GPU."
        )
        return "transformers"
    return "vllm"


def _run(command: list[str]) -> None:
    """Run pip, showing its output line by line as it comes; PipFailed with its last lines."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    )
    assert process.stdout is not None
    tail = stream_lines(process.stdout, show=sys.stdout)
    if process.wait() != 0:
        raise PipFailed(process.returncode, tail)


#: pip lines that only restate what is installed already: kept for the tail, not shown.
_QUIET_PIP_LINES = ("Requirement already satisfied:",)


def stream_lines(lines: Iterable[str], *, show: Any, keep: int = 30) -> list[str]:
    """Print each line as it arrives (but pip's "already satisfied" chatter); return the last
    ``keep`` lines, all of them counted."""
    tail: deque[str] = deque(maxlen=keep)
    for line in lines:
        text = line.rstrip("\n")
        tail.append(text)
        if not text.startswith(_QUIET_PIP_LINES):
            print(text, file=show, flush=True)
    return list(tail)


#: What a pip failure usually means, by a phrase of its output, and what fixes it.
_PIP_FIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("No space left on device",),
        "The disk is full: Runtime → Disconnect and delete runtime, then Runtime → Run all.",
    ),
    (
        ("Could not find a version", "No matching distribution"),
        "pip found no matching package for this Python: check the runtime (Runtime → Change "
        "runtime type) and that the project's pyproject.toml is intact.",
    ),
    (
        ("ConnectionError", "Temporary failure in name resolution", "Read timed out"),
        "pip could not reach PyPI: run this cell again in a minute.",
    ),
)


def pip_failure_message(returncode: int, tail: Sequence[str]) -> str:
    """What pip said last, and what usually fixes it."""
    said = "\n".join(tail) if tail else "(pip printed nothing)"
    fix = next(
        (
            fix
            for phrases, fix in _PIP_FIXES
            if any(phrase in line for phrase in phrases for line in tail)
        ),
        "Its last lines name the package it stopped at. Runtime → Restart session, then run "
        "this cell again; ENGINE=transformers needs the fewest packages.",
    )
    return f"pip install failed (exit code {returncode}). Its last lines:\n{said}\n{fix}"


# --- secrets and the weights cache ---------------------------------------------------------------


def secret(name: str, required: bool = True) -> str | None:
    """A secret from Colab's secret store, or from the environment outside Colab."""
    value: str | None
    problem = "is missing"
    try:
        from google.colab import userdata  # type: ignore[import-not-found]
    except ImportError:
        value = os.environ.get(name)
    else:
        try:
            value = userdata.get(name)
        except Exception as exc:  # SecretNotFoundError, NotebookAccessError, TimeoutException
            value = None
            if "Access" in type(exc).__name__:
                problem = "is not shared with this notebook"
    if not value and required:
        raise NotebookError(
            f"The secret {name} {problem}. Open the key icon (Secrets) in Colab's left bar, add "
            f"{name}, switch on its 'Notebook access', and run this cell again. Outside Colab, "
            f"set the environment variable {name}."
        )
    return value or None


def use_hf_token() -> bool:
    """Put the optional HF_TOKEN secret in the environment the worker inherits."""
    token = secret("HF_TOKEN", required=False)
    if token:
        os.environ["HF_TOKEN"] = token
    return token is not None


def new_api_key() -> str:
    """A random bearer key for this session's worker (the tunnel URL is public)."""
    return secrets.token_urlsafe(32)


#: What to do when the Drive for the weights cache is not mounted: the notebook goes on without it.
DRIVE_CACHE_FIX = (
    "The weights go to this session's disk instead (downloaded again next session). To keep "
    "them on Drive, run this cell again and allow access in the pop-up, or untick CACHE_ON_DRIVE."
)


def drive_failure_message(exc: BaseException, fix: str = DRIVE_CACHE_FIX) -> str:
    """Why ``drive.mount`` failed, in words, then ``fix``.

    google.colab raises ``MessageError('Error: credential propagation was unsuccessful')`` when
    the consent pop-up is closed or refused, and ``ValueError('mount failed…')`` otherwise, with
    ``timeout during initial read of root folder`` when Drive was too slow to answer.
    """
    text = str(exc).strip()
    lowered = text.lower()
    if "credential propagation" in lowered or "invalid oauth code" in lowered:
        what = (
            "Colab was not allowed to use Google Drive (the consent pop-up was closed or refused)"
        )
    elif "timeout" in lowered or "timed out" in lowered:
        what = (
            "Google Drive did not answer in time (a Drive with many files is slow to list the "
            "first time; running the cell again often works)"
        )
    elif "disabled" in lowered:
        what = "Google Drive is switched off for this account by its Google Workspace administrator"
    else:
        what = f"Google Drive could not be mounted ({text or type(exc).__name__})"
    return f"{what}. {fix}"


def mount_drive_cache(folder: str = "italian-teacher/hf-cache") -> str | None:
    """Mount Google Drive and make ``folder`` on it HF_HOME, so weights download only once.

    A refused or timed-out mount is not fatal: the weights then go to the session's disk.
    """
    try:
        from google.colab import drive  # type: ignore[import-not-found]
    except ImportError:
        print("Not on Colab: the weights stay in the default Hugging Face cache.")
        return None
    try:
        drive.mount("/content/drive")
    except Exception as exc:  # MessageError (consent refused), ValueError (mount failed, timeout)
        print(drive_failure_message(exc))
        return None
    path = Path("/content/drive/MyDrive") / folder
    path.mkdir(parents=True, exist_ok=True)
    os.environ["HF_HOME"] = str(path)
    return str(path)


# --- the worker ----------------------------------------------------------------------------------


def model_for_engine(engine: str, settings: Settings) -> tuple[str, str | None]:
    """The model and quantization to load: transformers gets the fallback model in float16
    when the chosen one is quantized (AWQ and the like are vLLM's)."""
    if engine == "transformers" and settings.quantization:
        return settings.fallback_model, None
    return settings.model, settings.quantization


def worker_options(engine: str, settings: Settings, quantization: str | None) -> dict[str, Any]:
    """Engine flags: float16 on the GPU (a T4 has no bfloat16), vLLM's memory and length."""
    if engine == "vllm":
        return {
            "dtype": "half",
            "quantization": quantization,
            "max_model_len": settings.max_model_len,
            "gpu_memory_utilization": settings.gpu_memory_utilization,
        }
    return {}


def worker_command(engine: str, model: str, port: int, options: dict[str, Any]) -> list[str]:
    """``python -m inference_worker --engine … --model … --host 127.0.0.1 --port …``."""
    command = [sys.executable, "-m", "inference_worker", "--engine", engine, "--model", model]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    for flag, value in options.items():
        if value is None or value == "" or value is False:
            continue
        command.append(f"--{flag.replace('_', '-')}")
        if value is not True:
            command.append(str(value))
    return command


def launch(
    command: list[str], api_key: str, log_path: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start the worker in its own process group, its output going to ``log_path``.

    Its own group, so that interrupting a cell (which signals the kernel's group) leaves it
    running; its pid goes to ``worker.pid`` beside the log, so that a later run can stop it even
    after a kernel restart. The key travels in the environment, never on the command line.
    """
    stop_previous(pid_file(log_path))
    env = {**os.environ, "WORKER_API_KEY": api_key, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    pid_file(log_path).write_text(str(process.pid))
    return process


def pid_file(log_path: Path) -> Path:
    """``worker.log`` → ``worker.pid``."""
    return log_path.with_suffix(".pid")


def stop_previous(pid_path: Path, grace: float = 30) -> None:
    """Stop the worker a previous run left behind (a restarted kernel does not stop it)."""
    try:
        pid = int(pid_path.read_text())
    except (OSError, ValueError):
        return
    if _is_worker(pid):
        print(f"Stopping the worker a previous run left running (pid {pid}).")
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _is_worker(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        _signal_group(pid, signal.SIGKILL)
    pid_path.unlink(missing_ok=True)


def _is_worker(pid: int) -> bool:
    """A live process running inference_worker (Linux; a zombie's command line is empty)."""
    try:
        return b"inference_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _signal_group(pid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def log_tail(log_path: Path, lines: int = 30) -> str:
    """The last lines of the worker's log."""
    if not log_path.exists():
        return "(no log yet)"
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def wait_until_ready(
    url: str,
    process: subprocess.Popen[bytes],
    log_path: Path,
    *,
    timeout: float = 1800,
    every: float = 15,
) -> dict[str, Any]:
    """Poll /health until the model is loaded, printing progress; fail with the log's tail."""
    import httpx

    started = time.monotonic()
    shown = 0.0
    while (elapsed := time.monotonic() - started) < timeout:
        if process.poll() is not None:
            raise NotebookError(
                f"The worker stopped (exit code {process.returncode}). The end of its log "
                f"({log_path}):\n{log_tail(log_path)}"
            )
        try:
            response = httpx.get(f"{url}/health", timeout=5)
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError):
            body = {}
        else:
            if response.status_code == 200:
                gpu = f" ({body['gpu_name']})" if body.get("gpu_name") else ""
                print(
                    f"Worker ready after {elapsed:.0f} s: {body.get('engine')} engine, "
                    f"{body.get('model')} on {body.get('device')}{gpu}, {body.get('dtype')}."
                )
                return body
            if body.get("status") == "error":
                raise NotebookError(
                    f"The model failed to load: {body.get('error')}\nThe end of the worker's "
                    f"log ({log_path}):\n{log_tail(log_path)}"
                )
        if elapsed - shown >= every:
            last = log_tail(log_path, 1)[-110:]
            print(f"… loading, {elapsed:.0f} s: {last}", flush=True)
            shown = elapsed
        time.sleep(1)
    raise NotebookError(f"The worker was not ready within {timeout:.0f} s.\n{log_tail(log_path)}")


def start_worker(
    *,
    engine: str,
    settings: Settings,
    api_key: str,
    log_path: Path,
    cwd: Path | None = None,
    timeout: float = 1800,
) -> Worker:
    """Start the worker and wait for its model; if vLLM cannot start, start transformers."""
    model, quantization = model_for_engine(engine, settings)
    options = worker_options(engine, settings, quantization)
    command = worker_command(engine, model, settings.port, options)
    url = f"http://127.0.0.1:{settings.port}"
    print(f"Starting the {engine} worker with {model}; its log: {log_path.resolve()}")
    process = launch(command, api_key, log_path, cwd)
    try:
        health = wait_until_ready(url, process, log_path, timeout=timeout)
    except NotebookError as exc:
        terminate(process)
        if engine != "vllm":
            raise
        failed_log = log_path.with_name(f"{log_path.stem}.vllm-failed{log_path.suffix}")
        log_path.replace(failed_log)
        print(
            f"vLLM could not start ({str(exc).splitlines()[0]}). Its log: {failed_log}. "
            "Falling back to the transformers engine on the GPU."
        )
        return start_worker(
            engine="transformers",
            settings=settings,
            api_key=api_key,
            log_path=log_path,
            cwd=cwd,
            timeout=timeout,
        )
    return Worker(process, engine, model, url, log_path, health)


def terminate(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """Stop the worker and its children (vLLM's engine core runs in a child process)."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(10)
    _signal_group(process.pid, signal.SIGKILL)  # children the worker left behind, if any


# --- the tunnel, the smoke test, the end of the session ------------------------------------------


NGROK_AUTHTOKEN_PAGE = "https://dashboard.ngrok.com/get-started/your-authtoken"
NGROK_AGENTS_PAGE = "https://dashboard.ngrok.com/agents"
#: ngrok's error codes for a token it does not accept: malformed (105), invalid or revoked (107),
#: none at all (4018).
BAD_TOKEN_CODES = frozenset({"ERR_NGROK_105", "ERR_NGROK_107", "ERR_NGROK_4018"})


def open_tunnel(port: int, authtoken: str) -> Any:
    """An ngrok tunnel to the worker's port (pyngrok downloads the ngrok agent the first time).

    An agent an earlier run left behind (a restarted kernel does not stop it) is stopped first:
    on the free plan it would hold the account's one agent session. ngrok's refusals become a
    plain NotebookError.
    """
    from pyngrok import conf, ngrok
    from pyngrok.exception import PyngrokError

    config = conf.get_default()
    config.auth_token = authtoken
    ngrok.kill()  # this kernel's own agent, if a previous run of the cell started one
    stop_leftover_agents(config.ngrok_path)
    try:
        return ngrok.connect(addr=str(port), proto="http")
    except PyngrokError as exc:
        raise NotebookError(tunnel_failure_message(exc, authtoken)) from None


def tunnel_failure_message(exc: BaseException, authtoken: str | None = None) -> str:
    """What ngrok refused, in words, and what to do; the authtoken never appears in it."""
    from pyngrok.exception import PyngrokNgrokInstallError

    code = getattr(exc, "ngrok_error_code", None)
    said = (getattr(exc, "ngrok_error", None) or str(exc)).strip()
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    if code in BAD_TOKEN_CODES or (code is None and "authtoken" in said.lower()):
        message = (
            f"ngrok refused the authtoken ({code or first}). Copy it again from "
            f"{NGROK_AUTHTOKEN_PAGE} (the authtoken, not an API key), paste it as the value of "
            "the NGROK_AUTHTOKEN secret with nothing around it, and run this cell again."
        )
    elif code == "ERR_NGROK_108":
        message = (
            "ngrok's free plan allows one agent session per account, and another one is running "
            "(ERR_NGROK_108): an older Colab session, another tab, or ngrok on your laptop. Stop "
            "it (in that Colab tab: Runtime → Disconnect and delete runtime; the account's agents "
            f"are listed at {NGROK_AGENTS_PAGE}), then run this cell again."
        )
    elif isinstance(exc, PyngrokNgrokInstallError):
        message = f"The ngrok agent could not be downloaded ({first}). Run this cell again."
    else:
        reference = f" ({code}: https://ngrok.com/docs/errors/{code.lower()})" if code else ""
        message = f"ngrok could not open the tunnel: {first}{reference}. Run this cell again."
    return message.replace(authtoken, "<NGROK_AUTHTOKEN>") if authtoken else message


def ngrok_agent_pids(ngrok_path: str, proc: Path = Path("/proc")) -> list[int]:
    """This user's processes running the ngrok binary at ``ngrok_path`` (Linux ``/proc``)."""
    found: list[int] = []
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if entry.stat().st_uid != os.getuid():
                continue
            program = (entry / "cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:  # it ended meanwhile, or is not ours to read
            continue
        if program and os.fsdecode(program) == ngrok_path:
            found.append(int(entry.name))
    return sorted(found)


def stop_leftover_agents(ngrok_path: str, grace: float = 5) -> list[int]:
    """Stop ngrok agents an earlier run of the notebook left running; returns their pids."""
    pids = ngrok_agent_pids(ngrok_path)
    for pid in pids:
        print(f"Stopping the ngrok agent an earlier run left running (pid {pid}).")
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        _signal(pid, signal.SIGKILL)
    return pids


def _alive(pid: int) -> bool:
    """Still running (a zombie, whose parent has not reaped it, counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _signal(pid: int, signum: signal.Signals) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def public_url(tunnel: Any, local_url: str) -> str:
    """The tunnel's HTTPS URL (the key must not cross the internet in clear), or the local one."""
    if tunnel is None:
        print(f"No tunnel (IT_NO_TUNNEL=1): the worker's local URL is {local_url}.")
        return local_url
    return https(str(tunnel.public_url))


def https(url: str) -> str:
    """ngrok serves every public URL over HTTPS as well."""
    return "https://" + url.removeprefix("http://") if url.startswith("http://") else url


def export_lines(url: str, api_key: str) -> str:
    """The two lines to paste on the laptop before ./run_api.sh."""
    return f"export INFERENCE_API_URL={url}\nexport INFERENCE_API_KEY={api_key}"


def format_exercises(response: GenerateResponse) -> str:
    """The exercises, one block each, then tokens and time."""
    lines: list[str] = []
    for number, exercise in enumerate(response.exercises, 1):
        lines.append(f"{number}. [{exercise.type}] {exercise.question}")
        if exercise.options:
            lines.append(f"   options: {' | '.join(exercise.options)}")
        lines.append(f"   answer: {exercise.correct_answer} — {exercise.explanation}")
    lines.append(
        f"{response.generated_tokens} tokens in {response.inference_time:.1f} s · "
        f"{response.model} · finish: {response.finish_reason}"
    )
    return "\n".join(lines)


def smoke_test(url: str, api_key: str, request: dict[str, Any] | None = None) -> SmokeResult:
    """One real POST /generate with the key (validated against the contract), one without (401)."""
    import httpx
    from pydantic import ValidationError

    from inference_worker.contract import GenerateResponse

    payload = request or SMOKE_REQUEST
    headers = {"Authorization": f"Bearer {api_key}", **NGROK_HEADERS}
    answer = httpx.post(f"{url}/generate", json=payload, headers=headers, timeout=600)
    if answer.status_code != 200:
        raise NotebookError(
            f"POST /generate answered {answer.status_code}: {answer.text[:400]}\n"
            "The worker's log (worker.log) says more."
        )
    try:
        response = GenerateResponse.model_validate_json(answer.content)
    except ValidationError as exc:
        raise NotebookError(f"/generate answered outside the contract: {exc}") from exc
    print(format_exercises(response))
    refused = httpx.post(f"{url}/generate", json=payload, headers=NGROK_HEADERS, timeout=60)
    print(f"Without the key: HTTP {refused.status_code} (expected 401)")
    if refused.status_code != 401:
        raise NotebookError(
            f"The worker answered {refused.status_code} to a request without the key; it must "
            "refuse it (401), since the tunnel URL is public. Is WORKER_API_KEY set?"
        )
    return SmokeResult(response=response, unauthorized_status=refused.status_code)


def switch_commands(url: str) -> str:
    """How an administrator points an API that is already running at this worker, without a
    restart: the command line, or curl. The key comes from the export line, so it is printed once."""
    body = f'{{"workers": [{{"url": "{url}", "api_key": "\'"$INFERENCE_API_KEY"\'"}}]}}'
    return (
        f'italian-teacher worker set {url} --key-stdin <<< "$INFERENCE_API_KEY"\n'
        f'curl -X PUT "$API/api/admin/worker" -H "Authorization: Bearer $TOKEN" '
        f"-H 'Content-Type: application/json' -d '{body}'"
    )


def session_summary(url: str, api_key: str, result: SmokeResult) -> str:
    """What to paste on the laptop, and what the smoke test proved."""
    response = result.response
    count = len(response.exercises)
    return (
        "The worker is up. On the laptop, paste these two lines, then run ./run_api.sh:\n\n"
        f"{export_lines(url, api_key)}\n\n"
        "An API already running switches to this worker without a restart: after the two lines, "
        "an administrator runs one of these ($API is the API's address, $TOKEN an "
        "administrator's token):\n\n"
        f"{switch_commands(url)}\n\n"
        f"Smoke test: {count} exercise{'' if count == 1 else 's'}, {response.generated_tokens} tokens "
        f"in {response.inference_time:.1f} s from {response.model}; "
        f"HTTP {result.unauthorized_status} without the key."
    )


def keep_alive(worker: Worker, hours: float, every: float = 60) -> None:
    """Print the worker's health every minute for ``hours``; stop the cell to end it early."""
    if hours <= 0:
        return
    import httpx

    print(f"Keeping this cell busy for {hours:g} h (Runtime → Interrupt execution to stop).")
    deadline = time.monotonic() + hours * 3600
    try:
        while time.monotonic() < deadline:
            if worker.process.poll() is not None:
                raise NotebookError(
                    f"The worker stopped (exit code {worker.process.returncode}):\n"
                    f"{log_tail(worker.log_path)}"
                )
            try:
                body = httpx.get(f"{worker.url}/health", timeout=10).json()
                state = f"{body.get('status')}, {body.get('requests_in_flight')} in flight"
            except (httpx.HTTPError, ValueError) as exc:
                state = f"no answer ({type(exc).__name__})"
            print(f"{time.strftime('%H:%M')} worker {state}", flush=True)
            time.sleep(every)
    except KeyboardInterrupt:
        print("Stopped keeping alive; the worker keeps running.")


def stop(worker: Worker | None, tunnel: Any = None) -> None:
    """Close the tunnel and stop the worker."""
    if tunnel is not None:
        from pyngrok import ngrok

        ngrok.disconnect(tunnel.public_url)
        ngrok.kill()
    if worker is not None:
        terminate(worker.process)
        pid_file(worker.log_path).unlink(missing_ok=True)
    print("Tunnel closed and worker stopped.")


def show_errors_plainly() -> None:
    """In IPython, show a NotebookError as its message alone, without a traceback.

    The cell still fails, so "Run all" stops there.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def plain(
        _shell: Any, _etype: Any, value: BaseException, _tb: Any, tb_offset: Any = None
    ) -> None:
        print(f"\n⛔ {value}", file=sys.stderr)

    shell.set_custom_exc((NotebookError,), plain)
