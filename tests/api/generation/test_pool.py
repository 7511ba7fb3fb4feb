"""Several workers over real HTTP on 127.0.0.1: the least busy one gets each attempt, a failing
one is left to its own breaker while the others carry the work, keys go to their own URL, and
/health and /metrics show each worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import ValidationError

from api.core.config import Settings
from api.generation.pool import WorkerPool, build_worker_pool, worker_endpoints
from inference_worker.contract import GenerateRequest
from tests.api.conftest import Api
from tests.fake_worker import FakeWorker

REQUEST = GenerateRequest(cefr_level="A1", quantity=2, exercise_types=["fill_in_blank"])


@pytest.fixture
async def second_worker() -> AsyncIterator[FakeWorker]:
    worker = FakeWorker()
    await worker.start()
    yield worker
    await worker.close()


def _pool(make_settings: Callable[..., Settings], *urls: str, **overrides: Any) -> WorkerPool:
    pool = build_worker_pool(make_settings(inference_api_url=",".join(urls), **overrides))
    assert pool is not None
    return pool


def test_urls_and_keys_pair_up_in_order(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        inference_api_url=" http://a.test/ , https://b.test ", inference_api_key="ka,kb"
    )
    pairs = [
        (url, key.get_secret_value() if key else None) for url, key in worker_endpoints(settings)
    ]
    assert pairs == [("http://a.test", "ka"), ("https://b.test", "kb")]
    shared = make_settings(inference_api_url="http://a.test,http://b.test", inference_api_key="k")
    assert [key.get_secret_value() for _, key in worker_endpoints(shared) if key] == ["k", "k"]


@pytest.mark.parametrize(
    ("url", "key", "message"),
    [
        ("http://a.test,ftp://b.test", None, "INFERENCE_API_URL must be an http"),
        ("http://a.test,http://b.test", "k1,k2,k3", "one key or one per worker URL"),
    ],
)
def test_bad_worker_lists_are_refused_without_echoing_keys(
    make_settings: Callable[..., Settings], url: str, key: str | None, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        make_settings(inference_api_url=url, inference_api_key=key)
    assert "k1" not in str(error.value)


async def test_each_attempt_goes_to_the_least_busy_worker(
    make_settings: Callable[..., Settings], fake_worker: FakeWorker, second_worker: FakeWorker
) -> None:
    fake_worker.latency = second_worker.latency = 0.3
    pool = _pool(make_settings, fake_worker.url, second_worker.url)
    results = await asyncio.gather(*(pool.generate(REQUEST, deadline=5) for _ in range(10)))
    await pool.aclose()
    assert len(results) == 10
    assert fake_worker.stats.requests == second_worker.stats.requests == 5
    assert fake_worker.stats.peak_in_flight == second_worker.stats.peak_in_flight == 5


async def test_a_failing_worker_is_left_to_its_breaker(
    make_settings: Callable[..., Settings], fake_worker: FakeWorker, second_worker: FakeWorker
) -> None:
    fake_worker.mode = "error500"
    second_worker.latency = 0.05
    pool = _pool(make_settings, fake_worker.url, second_worker.url)
    for _ in range(3):
        results = await asyncio.gather(*(pool.generate(REQUEST, deadline=5) for _ in range(10)))
        assert all(r.response.model == "fake-italian-7b" for r in results)
    await pool.aclose()
    failing, healthy = pool.workers
    assert failing.breaker.state == "open"
    assert healthy.breaker.state == "closed"
    assert second_worker.stats.requests == 30
    assert fake_worker.stats.requests <= 15, "the failing worker stops getting work"


async def test_a_retry_goes_to_a_worker_that_has_not_failed_this_homework(
    make_settings: Callable[..., Settings], fake_worker: FakeWorker, second_worker: FakeWorker
) -> None:
    fake_worker.mode = "error500"  # fails at once, so it never has anything in flight
    second_worker.latency = 0.2
    pool = _pool(make_settings, fake_worker.url, second_worker.url)
    busy = asyncio.create_task(pool.generate(REQUEST, deadline=5))
    while second_worker.stats.in_flight == 0:  # its retry keeps the second worker busy
        await asyncio.sleep(0.005)
    result = await pool.generate(REQUEST, deadline=5)
    await busy
    await pool.aclose()
    assert result.attempts == 2
    assert fake_worker.stats.requests == 2  # the first attempt of each homework
    assert second_worker.stats.requests == 2


async def test_each_worker_gets_its_own_key(
    make_settings: Callable[..., Settings], fake_worker: FakeWorker, second_worker: FakeWorker
) -> None:
    fake_worker.api_key, second_worker.api_key = "key-a", "key-b"
    pool = _pool(make_settings, fake_worker.url, second_worker.url, inference_api_key="key-a,key-b")
    await asyncio.gather(*(pool.generate(REQUEST, deadline=5) for _ in range(4)))
    await pool.aclose()
    assert set(fake_worker.stats.authorization) == {"Bearer key-a"}
    assert set(second_worker.stats.authorization) == {"Bearer key-b"}


async def test_health_and_metrics_show_each_worker(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
    second_worker: FakeWorker,
) -> None:
    fake_worker.mode = "error500"
    api: Api = await start_api(
        make_settings(
            inference_api_url=f"{fake_worker.url},{second_worker.url}",
            inference_api_key="s3cret-a,s3cret-b",
            metrics_token="scrape",
        )
    )
    ids = [(await api.student(f"S{i}"))["id"] for i in range(6)]
    created = await api.assignment(ids, quantity=2, exercise_types=["fill_in_blank"])
    done = await api.wait_done(created["id"])
    assert done["error_message"] is None, "the healthy worker carried every homework"
    response = await api.client.get("/health")
    body = response.json()
    assert [w["url"] for w in body["workers"]] == [fake_worker.url, second_worker.url]
    assert all(w["reachable"] for w in body["workers"])
    assert body["worker"] == body["workers"][0]
    assert body["offline_mode"] is False and body["status"] == "ok"
    assert "s3cret" not in response.text
    metrics = await api.anonymous().get("/metrics", headers={"Authorization": "Bearer scrape"})
    assert f'worker_breaker{{state="closed",worker="{second_worker.url}"}} 1.0' in metrics.text
    assert "s3cret" not in metrics.text
