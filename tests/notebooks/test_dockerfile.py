"""The Dockerfile's CUDA base image and the vLLM it installs are built for the same CUDA major."""

from __future__ import annotations

import re

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from inference_worker import colab
from tests.notebooks.conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"

#: The CUDA major of vLLM's PyPI wheels, by release line: CUDA 12 up to 0.19, CUDA 13 from 0.20
#: (vllm-project/vllm#39878). A new major adds a row here.
VLLM_CUDA_MAJOR: tuple[tuple[SpecifierSet, int], ...] = (
    (SpecifierSet(">=0.12,<0.20"), 12),
    (SpecifierSet(">=0.20"), 13),
)
#: The oldest driver that runs each CUDA major's binaries (minor-version compatibility).
DRIVER_FLOOR = {12: "525.60.13", 13: "580"}
#: Releases of every line the `vllm` extra allows (>=0.12,<0.34), to test a specifier against.
VLLM_RELEASES = [Version(f"0.{minor}.{patch}") for minor in range(12, 34) for patch in (0, 1)]


def dockerfile() -> str:
    return DOCKERFILE.read_text()


def base_cuda_major(text: str) -> int:
    match = re.search(r"^FROM nvidia/cuda:(\d+)\.\d+\.\d+-base-ubuntu\d+\.\d+\s*$", text, re.M)
    assert match is not None, "FROM is not an nvidia/cuda base image"
    return int(match.group(1))


def vllm_requirement(text: str) -> Requirement:
    match = re.search(r'^ARG VLLM_REQUIREMENT="([^"]+)"$', text, re.M)
    assert match is not None, "no ARG VLLM_REQUIREMENT"
    requirement = Requirement(match.group(1))
    assert requirement.name == "vllm"
    return requirement


def cuda_majors(specifier: SpecifierSet) -> set[int]:
    """The CUDA majors of the vLLM releases a specifier admits."""
    admitted = [v for v in VLLM_RELEASES if v in specifier]
    assert admitted, f"{specifier} admits no vLLM release the extra allows"
    return {major for v in admitted for line, major in VLLM_CUDA_MAJOR if v in line}


def test_the_base_image_and_the_vllm_pin_agree_on_cuda() -> None:
    text = dockerfile()
    major = base_cuda_major(text)
    assert cuda_majors(vllm_requirement(text).specifier) == {major}


def test_the_pin_is_what_pip_installs_beside_the_extra() -> None:
    text = dockerfile()
    assert 'pip install ".[vllm]" "${VLLM_REQUIREMENT}"' in text
    extra = re.search(r'"(vllm>=[^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert extra is not None
    both = Requirement(extra.group(1)).specifier & vllm_requirement(text).specifier
    assert any(v in both for v in VLLM_RELEASES), "the pin and the extra's range exclude each other"


def test_the_header_names_the_driver_the_image_needs() -> None:
    text = dockerfile()
    major = base_cuda_major(text)
    header = text.split("\nFROM ", 1)[0]
    assert f">= {DRIVER_FLOOR[major]}" in header
    # The container runtime's own check asks no more than the CUDA major.
    assert f'NVIDIA_REQUIRE_CUDA="cuda>={major}.0"' in text
    # The notebook picks the same vLLM line for a driver of that floor.
    pick = colab.vllm_requirement(DRIVER_FLOOR[major])
    assert pick is not None and cuda_majors(SpecifierSet(Requirement(pick).specifier)) == {major}


def test_a_mismatch_is_caught() -> None:
    mismatched = 'FROM nvidia/cuda:13.0.1-base-ubuntu24.04\nARG VLLM_REQUIREMENT="vllm<0.20"\n'
    assert base_cuda_major(mismatched) == 13
    assert cuda_majors(vllm_requirement(mismatched).specifier) == {12}
    assert cuda_majors(SpecifierSet(">=0.18")) == {12, 13}  # an open range spans both
