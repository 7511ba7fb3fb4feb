"""Prometheus metrics of the worker (one registry per app, so tests can run several)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class WorkerMetrics:
    """Requests, latency, tokens, failures by reason and requests in flight."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "worker_requests_total",
            "Generate requests by outcome.",
            ["status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "worker_request_seconds",
            "Time to answer a generate request.",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
            registry=self.registry,
        )
        self.tokens = Counter(
            "worker_generated_tokens_total", "Tokens generated.", registry=self.registry
        )
        self.failures = Counter(
            "worker_failures_total",
            "Failed generations by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "worker_requests_in_flight", "Generate requests being served.", registry=self.registry
        )
