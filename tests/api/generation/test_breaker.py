"""The circuit breaker: a failure rate over a sliding window, connection failures in a row,
several probes when half-open, and outcomes of an older state that count for nothing."""

from __future__ import annotations

import random

from api.generation.breaker import BreakerState, CircuitBreaker, Permit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _breaker(clock: Clock, **overrides: float) -> CircuitBreaker:
    values: dict[str, float] = {
        "failure_threshold": 3,
        "reset_seconds": 10,
        "window": 20,
        "min_calls": 10,
        "failure_rate": 0.5,
        "half_open_probes": 2,
    } | overrides
    return CircuitBreaker(clock=clock, **values)  # type: ignore[arg-type]


def _call(breaker: CircuitBreaker, *, failed: bool, connection: bool = False) -> None:
    permit = breaker.acquire()
    assert permit is not None
    if failed:
        permit.failure(connection=connection)
    else:
        permit.success()


def test_scattered_failures_below_the_rate_keep_it_closed() -> None:
    breaker = _breaker(Clock())
    rng = random.Random(4)
    outcomes = [i % 10 < 3 for i in range(200)]  # exactly 30 % failures, shuffled
    rng.shuffle(outcomes)
    for failed in outcomes:
        _call(breaker, failed=failed)
        assert breaker.state == BreakerState.closed


def test_non_connection_failures_in_a_row_need_the_window() -> None:
    breaker = _breaker(Clock())
    for _ in range(9):
        _call(breaker, failed=True)
    assert breaker.state == BreakerState.closed, "fewer calls than min_calls"
    _call(breaker, failed=True)
    assert breaker.state == BreakerState.open


def test_failure_rate_over_the_window_opens_it() -> None:
    breaker = _breaker(Clock())
    for _ in range(10):
        _call(breaker, failed=False)
    for _ in range(9):
        _call(breaker, failed=True)
    assert breaker.state == BreakerState.closed  # 9 of 19
    _call(breaker, failed=True)  # 10 of the last 20
    assert breaker.state == BreakerState.open
    assert breaker.acquire() is None


def test_connection_failures_in_a_row_open_it_at_once() -> None:
    breaker = _breaker(Clock())
    for _ in range(10):
        _call(breaker, failed=False)
    _call(breaker, failed=True, connection=True)
    _call(breaker, failed=True, connection=True)
    _call(breaker, failed=True)  # the worker answered: the chain is broken
    _call(breaker, failed=True, connection=True)
    _call(breaker, failed=True, connection=True)
    assert breaker.state == BreakerState.closed
    _call(breaker, failed=True, connection=True)
    assert breaker.state == BreakerState.open


def test_half_open_lets_a_few_probes_through_and_a_success_closes() -> None:
    clock = Clock()
    breaker = _breaker(clock, failure_threshold=1)
    _call(breaker, failed=True, connection=True)
    assert breaker.state == BreakerState.open
    assert breaker.retry_in == 10
    clock.now = 10.5
    assert breaker.state == BreakerState.half_open
    probes = [breaker.acquire(), breaker.acquire()]
    assert all(isinstance(p, Permit) for p in probes)
    assert breaker.acquire() is None, "only half_open_probes at once"
    assert not breaker.probe_slot_free
    probes[1].release()  # a cancelled probe frees its slot
    assert breaker.probe_slot_free
    probes[0].success()
    assert breaker.state == BreakerState.closed
    assert breaker.acquire() is not None


def test_a_failed_probe_opens_it_again_and_late_outcomes_are_ignored() -> None:
    clock = Clock()
    breaker = _breaker(clock, failure_threshold=1)
    old = breaker.acquire()
    assert old is not None
    _call(breaker, failed=True, connection=True)
    clock.now = 11
    probe = breaker.acquire()
    assert probe is not None
    probe.failure()
    assert breaker.state == BreakerState.open
    old.success()  # began before the breaker opened: says nothing about the worker now
    assert breaker.state == BreakerState.open
    assert breaker.retry_in == 10
    probe.success()  # a second report of one call is ignored
    assert breaker.state == BreakerState.open


def test_fast_failures_do_not_outvote_calls_still_in_flight() -> None:
    breaker = _breaker(Clock())
    permits = [breaker.acquire() for _ in range(20)]
    assert all(p is not None for p in permits)
    for permit in permits[:6]:  # HTTP 500s come back first
        permit.failure()  # type: ignore[union-attr]
    for permit in permits[6:10]:
        permit.success()  # type: ignore[union-attr]
    assert breaker.state == BreakerState.closed, "6 failures of 20 calls, not of 10"
    for permit in permits[10:]:
        permit.success()  # type: ignore[union-attr]
    assert breaker.state == BreakerState.closed
    for _ in range(10):  # every new call fails: 10 failures of the last 20
        _call(breaker, failed=True)
    assert breaker.state == BreakerState.open
