"""inference_worker.colab: the notebook's logic, function by function."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

import pytest

from inference_worker import colab
from inference_worker.contract import Exercise, GenerateResponse
from tests.notebooks.conftest import ROOT

T4_SETTINGS = colab.Settings(
    model=colab.DEFAULT_MODEL,
    quantization="awq",
    fallback_model=colab.FALLBACK_MODEL,
    max_model_len=4096,
    gpu_memory_utilization=0.85,
    cache_on_drive=True,
    port=8001,
    no_tunnel=False,
)


#: A stand-in for a worker process: its command line names inference_worker, and it waits.
SLEEPING_WORKER = "import time; time.sleep(60)  # python -m inference_worker"


# --- the driver and the vLLM build -------------------------------------------------------------


def test_nvidia_smi_query_is_parsed() -> None:
    info = colab.parse_nvidia_smi("Tesla T4, 550.54.15, 15360, 15101\n")
    assert info == colab.GpuInfo("Tesla T4", "550.54.15", 15360, 15101)
    two = colab.parse_nvidia_smi(
        "\nNVIDIA L4, 580.82.07, 23034, 22000\nNVIDIA L4, 580.82.07, 1, 1\n"
    )
    assert two.name == "NVIDIA L4" and two.memory_free_mb == 22000
    with pytest.raises(ValueError):
        colab.parse_nvidia_smi("")


@pytest.mark.parametrize(
    ("driver", "major"),
    [("550.54.15", 550), ("580.65.06", 580), (" 535.104.05", 535), ("470", 470)],
)
def test_driver_major(driver: str, major: int) -> None:
    assert colab.driver_major(driver) == major


@pytest.mark.parametrize("driver", ["", "N/A", "unknown"])
def test_driver_major_rejects_junk(driver: str) -> None:
    with pytest.raises(ValueError, match="driver"):
        colab.driver_major(driver)


@pytest.mark.parametrize(
    ("driver", "requirement"),
    [
        ("590.44.01", "vllm>=0.20"),  # CUDA 13 wheels: current vLLM
        ("580.65.06", "vllm>=0.20"),
        ("579.99", "vllm<0.20"),  # CUDA 12.9 wheels, torch 2.10 (CUDA 12.8)
        ("550.54.15", "vllm<0.20"),  # Colab's T4 runtime
        ("525.60.13", "vllm<0.20"),  # the floor of CUDA 12 minor-version compatibility
        ("520.61.05", None),
        ("470.82.01", None),
    ],
)
def test_vllm_build_follows_the_driver(driver: str, requirement: str | None) -> None:
    assert colab.vllm_requirement(driver) == requirement


@pytest.mark.parametrize(
    ("requested", "driver", "engine"),
    [
        ("auto", "550.54.15", "vllm"),
        ("auto", "580.65.06", "vllm"),
        ("auto", "470.82.01", "transformers"),
        ("auto", None, "transformers"),
        ("vllm", None, "transformers"),
        ("vllm", "470.82.01", "transformers"),
        ("transformers", "580.65.06", "transformers"),
        ("vllm", "550.54.15", "vllm"),
    ],
)
def test_engine_choice(requested: str, driver: str | None, engine: str) -> None:
    assert colab.choose_engine(requested, driver) == engine


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(colab.NotebookError, match="ENGINE must be one of"):
        colab.choose_engine("tensorrt", "550.54.15")


# --- install -----------------------------------------------------------------------------------


def test_pip_command_installs_the_project_with_its_extras(tmp_path: Path) -> None:
    command = colab.pip_command(tmp_path, ("transformers", "notebook", "vllm"), "vllm<0.20")
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[-3:] == ["-e", f"{tmp_path}[transformers,notebook,vllm]", "vllm<0.20"]
    assert colab.pip_command(tmp_path, ())[-1] == str(tmp_path)


def test_install_is_a_no_op_when_the_engine_is_importable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pip(command: list[str]) -> None:
        raise AssertionError(f"pip ran: {command}")

    monkeypatch.setattr(colab, "_run", no_pip)
    assert colab.missing_modules("transformers") == []
    assert colab.install(ROOT, engine="transformers", driver=None) == "transformers"
    assert "already installed" in capsys.readouterr().out
    assert "vllm" in colab.missing_modules("vllm")  # not installable without a GPU


# --- settings and secrets ----------------------------------------------------------------------


def test_form_fields_are_overridden_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert colab.setting("NO_TUNNEL", False) is False
    for name, value in {"NO_TUNNEL": "yes", "PORT": "9001", "SHARE": "0.7", "NAME": "x"}.items():
        monkeypatch.setenv(f"IT_{name}", value)
    assert colab.setting("NO_TUNNEL", False) is True
    assert colab.setting("PORT", 8001) == 9001
    assert colab.setting("SHARE", 0.85) == 0.7
    assert colab.setting("NAME", "y") == "x"
    monkeypatch.setenv("IT_NO_TUNNEL", "maybe")
    with pytest.raises(ValueError, match="yes/no"):
        colab.setting("NO_TUNNEL", False)


def test_settings_from_the_form(monkeypatch: pytest.MonkeyPatch) -> None:
    form = {
        "model": colab.DEFAULT_MODEL,
        "quantization": "awq",
        "fallback_model": colab.FALLBACK_MODEL,
        "max_model_len": 4096,
        "gpu_memory_utilization": 0.85,
        "cache_on_drive": True,
    }
    assert colab.read_settings(**form) == T4_SETTINGS  # type: ignore[arg-type]
    monkeypatch.setenv("IT_QUANTIZATION", "none")
    monkeypatch.setenv("IT_NO_TUNNEL", "1")
    overridden = colab.read_settings(**form)  # type: ignore[arg-type]
    assert overridden.quantization is None and overridden.no_tunnel is True
    with pytest.raises(colab.NotebookError, match="GPU_MEMORY_UTILIZATION"):
        colab.read_settings(**{**form, "gpu_memory_utilization": 1.5})  # type: ignore[arg-type]


def test_a_missing_secret_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NGROK_AUTHTOKEN", raising=False)
    with pytest.raises(colab.NotebookError, match="secret NGROK_AUTHTOKEN is missing"):
        colab.secret("NGROK_AUTHTOKEN")
    assert colab.secret("NGROK_AUTHTOKEN", required=False) is None
    monkeypatch.setenv("NGROK_AUTHTOKEN", "from-the-environment")
    assert colab.secret("NGROK_AUTHTOKEN") == "from-the-environment"


def test_hf_token_reaches_the_worker_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    assert colab.use_hf_token() is False
    monkeypatch.setenv("HF_TOKEN", "hf_x")
    assert colab.use_hf_token() is True


def test_worker_keys_are_random_and_long() -> None:
    keys = {colab.new_api_key() for _ in range(20)}
    assert len(keys) == 20 and all(len(k) >= 40 for k in keys)


def test_outside_colab_the_weights_stay_in_the_default_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HF_HOME", raising=False)
    assert colab.mount_drive_cache() is None
    assert "HF_HOME" not in os.environ


# --- the worker command ------------------------------------------------------------------------


def test_vllm_command_on_a_t4() -> None:
    model, quantization = colab.model_for_engine("vllm", T4_SETTINGS)
    options = colab.worker_options("vllm", T4_SETTINGS, quantization)
    command = colab.worker_command("vllm", model, 8001, options)
    assert command[:3] == [sys.executable, "-m", "inference_worker"]
    assert command[3:] == [
        "--engine", "vllm", "--model", "Qwen/Qwen2.5-7B-Instruct-AWQ",
        "--host", "127.0.0.1", "--port", "8001",
        "--dtype", "half", "--quantization", "awq",
        "--max-model-len", "4096", "--gpu-memory-utilization", "0.85",
    ]  # fmt: skip


def test_transformers_fallback_loads_an_unquantized_model() -> None:
    model, quantization = colab.model_for_engine("transformers", T4_SETTINGS)
    assert (model, quantization) == (colab.FALLBACK_MODEL, None)
    assert colab.worker_options("transformers", T4_SETTINGS, None) == {}
    plain = dataclasses.replace(T4_SETTINGS, quantization=None)
    assert colab.model_for_engine("transformers", plain) == (colab.DEFAULT_MODEL, None)


def test_the_command_line_understands_every_flag_the_notebook_passes() -> None:
    from inference_worker.__main__ import parse_args

    options = colab.worker_options("vllm", T4_SETTINGS, "awq")
    command = colab.worker_command("vllm", colab.DEFAULT_MODEL, 8001, options)
    parsed = parse_args(command[3:])
    assert parsed.engine == "vllm" and parsed.quantization == "awq"
    assert parsed.dtype == "half" and parsed.max_model_len == 4096
    assert parsed.gpu_memory_utilization == 0.85 and parsed.port == 8001


# --- start-up, failure and fallback --------------------------------------------------------------


def test_a_dying_worker_fails_with_the_end_of_its_log(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    command = [sys.executable, "-c", "print('CUDA error: no kernel image'); raise SystemExit(3)"]
    process = colab.launch(command, "key", log)
    with pytest.raises(colab.NotebookError, match=r"exit code 3(.|\n)*no kernel image"):
        colab.wait_until_ready("http://127.0.0.1:9", process, log, timeout=30)


def test_vllm_that_cannot_start_falls_back_to_transformers(
    tmp_path: Path,
    tiny_model: Path,
    free_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """vLLM is not installed here, so its worker reports the failed load; the fallback serves."""
    monkeypatch.setenv("WORKER_MAX_FIELD_CHARS", "16")
    settings = dataclasses.replace(
        T4_SETTINGS, model=str(tiny_model), fallback_model=str(tiny_model), port=free_port
    )
    log = tmp_path / "worker.log"
    worker = colab.start_worker(
        engine="vllm", settings=settings, api_key="k" * 40, log_path=log, cwd=ROOT, timeout=60
    )
    try:
        printed = capsys.readouterr().out
        assert "vLLM could not start (The model failed to load" in printed
        assert "Falling back to the transformers engine on the GPU" in printed
        assert worker.engine == "transformers" and worker.health["status"] == "ok"
        assert (tmp_path / "worker.vllm-failed.log").exists()
        result = colab.smoke_test(worker.url, "k" * 40)
        assert result.unauthorized_status == 401 and len(result.response.exercises) == 3
    finally:
        colab.stop(worker)
    assert worker.process.poll() is not None


# --- what the notebook prints ------------------------------------------------------------------


def test_export_lines_and_summary() -> None:
    assert colab.export_lines("https://a.ngrok-free.app", "k") == (
        "export INFERENCE_API_URL=https://a.ngrok-free.app\nexport INFERENCE_API_KEY=k"
    )
    response = GenerateResponse(
        exercises=[
            Exercise(
                type="multiple_choice",
                question="Ieri noi ___ al mare.",
                correct_answer="siamo andati",
                options=["siamo andati", "abbiamo andato", "andiamo", "andavamo"],
                explanation="Andare forma il passato prossimo con essere.",
            )
        ],
        generated_tokens=42,
        inference_time=1.25,
        model="m",
        finish_reason="stop",
    )
    text = colab.format_exercises(response)
    assert text.splitlines()[0] == "1. [multiple_choice] Ieri noi ___ al mare."
    assert "options: siamo andati | abbiamo andato | andiamo | andavamo" in text
    assert text.endswith("42 tokens in 1.2 s · m · finish: stop")
    summary = colab.session_summary(
        "https://a.ngrok-free.app", "k", colab.SmokeResult(response, 401)
    )
    assert "export INFERENCE_API_KEY=k" in summary
    # The switch commands take the key from the export line: it is printed once only.
    assert summary.count("k\n") == 1 and '"$INFERENCE_API_KEY"' in summary
    assert "italian-teacher worker set https://a.ngrok-free.app --key-stdin" in summary
    assert '"workers": [{"url": "https://a.ngrok-free.app"' in summary
    assert summary.endswith("1 exercise, 42 tokens in 1.2 s from m; HTTP 401 without the key.")


def test_the_tunnel_url_is_https() -> None:
    assert colab.https("http://a.ngrok-free.app") == "https://a.ngrok-free.app"
    assert colab.https("https://a.ngrok-free.app") == "https://a.ngrok-free.app"
    assert colab.public_url(None, "http://127.0.0.1:8001") == "http://127.0.0.1:8001"


def test_a_worker_left_by_a_previous_run_is_stopped(tmp_path: Path) -> None:
    """A restarted kernel leaves its worker running; the next start stops it through worker.pid."""
    log = tmp_path / "worker.log"
    orphan = colab.launch([sys.executable, "-c", SLEEPING_WORKER], "key", log)
    assert colab.pid_file(log).read_text() == str(orphan.pid)
    cmdline = Path(f"/proc/{orphan.pid}/cmdline")
    deadline = time.monotonic() + 10
    while b"inference_worker" not in cmdline.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)  # until the exec has finished (the command line is empty before)
    replacement = colab.launch([sys.executable, "-c", SLEEPING_WORKER], "key", log)
    try:
        assert orphan.wait(10) is not None  # stopped before the new one started
        assert colab.pid_file(log).read_text() == str(replacement.pid)
    finally:
        colab.terminate(replacement)


def test_only_workers_are_stopped(tmp_path: Path) -> None:
    pid_path = tmp_path / "worker.pid"
    pid_path.write_text(str(os.getpid()))  # this test process is no worker
    colab.stop_previous(pid_path)
    assert not pid_path.exists()
    pid_path.write_text("not a pid")
    colab.stop_previous(pid_path)
