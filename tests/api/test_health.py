"""GET /health, the OpenAPI document, and logs that never carry the worker key."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from typing import Any

from api.core.config import Settings
from tests.api.conftest import Api
from tests.fake_worker import FakeWorker


async def test_health_offline(api: Api) -> None:
    response = await api.client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["offline_mode"] is True
    assert body["worker"]["configured"] is False
    assert body["dispatcher"]["running"] is True


async def test_health_with_reachable_worker(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    api: Api = await start_api(
        make_settings(inference_api_url=fake_worker.url, inference_api_key="hunter2-key")
    )
    response = await api.client.get("/health")
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"] == {
        "configured": True,
        "url": fake_worker.url,
        "reachable": True,
        "detail": "ok",
        "breaker": "closed",
    }
    assert body["offline_mode"] is False
    assert "hunter2-key" not in response.text


async def test_openapi_documents_every_endpoint_with_examples(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/api/teacher/students",
        "/api/teacher/students/{student_id}",
        "/api/teacher/assignments",
        "/api/teacher/assignments/{assignment_id}",
        "/api/student/{student_id}/homework",
        "/api/student/{student_id}/homework/{homework_id}",
        "/health",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert operation.get("summary"), (path, operation)
    schemas = spec["components"]["schemas"]
    assert schemas["AssignmentCreate"]["properties"]["cefr_level"]["examples"] == ["A2"]
    assert schemas["StudentCreate"]["properties"]["email"]["examples"]
    assert "404" in paths["/api/teacher/students/{student_id}"]["get"]["responses"]
    assert (await api.client.get("/docs")).status_code == 200


async def test_logs_are_json_events_without_the_key(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("api")
    fake_worker.mode = "unauthorized"
    api: Api = await start_api(
        make_settings(
            inference_api_url=fake_worker.url, inference_api_key="hunter2-key", log_level="INFO"
        )
    )
    from api.core.logging import JsonFormatter

    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    try:
        student = await api.student()
        created = await api.assignment([student["id"]], quantity=2)
        await api.wait_done(created["id"])
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert any('"event": "generation.fallback_used"' in line for line in lines)
    assert any('"event": "worker.attempt_failed"' in line for line in lines)
    assert fake_worker.stats.authorization == ["Bearer hunter2-key"]
    assert "hunter2-key" not in stream.getvalue()


async def test_liveness_and_readiness(api: Api) -> None:
    assert (await api.client.get("/health/live")).json() == {"status": "ok", "detail": None}
    ready = await api.client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"
    with api.app.state.database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
    stale = await api.client.get("/health/ready")
    assert stale.status_code == 503 and "0002" in stale.json()["detail"]


async def test_openapi_errors_are_the_real_ones(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    create = document["paths"]["/api/teacher/students"]["post"]["responses"]
    for code in ("400", "401", "413", "422", "429"):
        schema = create[code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, code
    bad = await api.client.post(
        "/api/teacher/students",
        content=b'{"name": "\xff"}',
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code in (400, 422) and isinstance(bad.json()["detail"], str)


async def test_405_lists_every_method_of_the_path(api: Api) -> None:
    response = await api.client.patch("/api/teacher/students")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    one = await api.client.patch("/api/teacher/students/1")
    assert one.headers["allow"] == "DELETE, GET"
    assert "Allow header" in one.json()["detail"]


async def test_operation_ids_are_short_and_every_201_says_where(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    operations = [op for path in document["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)) and "create_student" in ids and "submit_answers" in ids
    assert all(re.fullmatch(r"[a-z_]+", op_id) for op_id in ids)
    assert {tag["name"] for tag in document["tags"]} >= {
        tag for op in operations for tag in op.get("tags", [])
    }
    student = await api.client.post(
        "/api/teacher/students", json={"name": "Giulia", "email": "g@example.com"}
    )
    made = await api.client.post("/api/teacher/classes", json={"name": "3B"})
    teacher = await api.client.post(
        "/api/admin/teachers",
        json={"name": "Bruno", "email": "bruno@example.com", "password": "bruno-password"},
    )
    assignment = await api.client.post(
        "/api/teacher/assignments", json={"cefr_level": "A1", "student_ids": [student.json()["id"]]}
    )
    for created in (student, made, teacher, assignment):
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        assert location.endswith(f"/{created.json()['id']}")
        assert (await api.client.get(location)).json()["id"] == created.json()["id"]


async def test_metrics_for_an_administrator_or_the_metrics_token(
    start_api: Any, make_settings: Any
) -> None:
    api: Api = await start_api(make_settings(metrics_token="scrape-me-please"))
    student = await api.student()
    created = await api.assignment([student["id"]], quantity=2)
    await api.wait_done(created["id"])
    assert (await api.anonymous().get("/metrics")).status_code == 401
    wrong = await api.anonymous().get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    pupil = await api.anonymous().get("/metrics", headers=api.pupil_headers(student))
    assert pupil.status_code == 403
    scraped = await api.anonymous().get(
        "/metrics", headers={"Authorization": "Bearer scrape-me-please"}
    )
    assert scraped.status_code == 200
    text = scraped.text
    assert 'homework{status="available"} 1.0' in text
    assert 'homework_generation_seconds_count{source="fallback"} 1.0' in text
    assert 'homework_fallbacks_total{reason="no worker configured"} 1.0' in text
    assert 'dispatcher_backlog{state="pending"} 0.0' in text
    assert 'worker_breaker_state{state="open"} 0.0' in text
    assert "http_request_duration_seconds" in text and 'handler="/api/teacher/students"' in text
    admin = await api.client.get(
        "/metrics", headers={"Authorization": f"Bearer {api.auth.teacher_token}"}
    )
    assert admin.status_code == 200 and "scrape-me-please" not in admin.text


async def test_request_metrics_count_each_route_and_fold_unknown_methods(
    start_api: Any, make_settings: Any
) -> None:
    api: Api = await start_api(make_settings(metrics_token="scrape-me-please"))
    for _ in range(3):
        assert (await api.client.get("/api/teacher/students")).status_code == 200
    assert (await api.client.request("FROB", "/no/such/page")).status_code in (404, 405)
    assert (await api.client.request("BREW", "/no/such/page")).status_code in (404, 405)
    text = (
        await api.anonymous().get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
    ).text
    assert (
        'http_requests_total{handler="/api/teacher/students",method="GET",status="2xx"} 3.0' in text
    )
    assert (
        'http_request_duration_seconds_count{handler="/api/teacher/students",method="GET"} 3.0'
        in text
    )
    assert 'http_requests_total{handler="none",method="other",status="4xx"} 2.0' in text
    assert "FROB" not in text and "BREW" not in text
