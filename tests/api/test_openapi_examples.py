"""The OpenAPI document's examples are true: the named request examples chain into a working
walk-through on a fresh database, every parameter has a description and an example, and every
error example is what the API answers."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api


def _examples(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    content = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
    return {name: example["value"] for name, example in content["examples"].items()}


async def test_the_named_examples_chain_into_a_walk_through(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    client = api.client

    students = _examples(spec, "/api/teacher/students", "post")
    created = []
    for name in ("giulia", "marco"):
        response = await client.post("/api/teacher/students", json=students[name])
        assert response.status_code == 201, response.text
        created.append(response.json())
        api.auth.student_tokens[response.json()["id"]] = response.json()["access_token"]
    giulia = created[0]

    (class_example,) = _examples(spec, "/api/teacher/classes", "post").values()
    klass = await client.post("/api/teacher/classes", json=class_example)
    assert klass.status_code == 201, klass.text
    members = _examples(spec, "/api/teacher/classes/{class_id}/students", "post")
    response = await client.post(
        f"/api/teacher/classes/{klass.json()['id']}/students", json=members["giulia-and-marco"]
    )
    assert response.status_code in (200, 201), response.text

    assignments = _examples(spec, "/api/teacher/assignments", "post")
    # The ids the examples name are the ones a fresh database gives.
    assert assignments["giulia-and-marco"]["student_ids"] == [s["id"] for s in created]
    assert assignments["class-3b"]["class_id"] == klass.json()["id"]
    response = await client.post("/api/teacher/assignments", json=assignments["giulia-and-marco"])
    assert response.status_code == 201, response.text
    done = await api.wait_done(response.json()["id"])
    assert done["status"] == "completed"

    homework = (await client.get(f"/api/student/{giulia['id']}/homework")).json()
    assert len(homework) == 1
    submissions = _examples(
        spec, "/api/student/{student_id}/homework/{homework_id}/submissions", "post"
    )
    assert submissions["save"]["final"] is False and submissions["hand-in"]["final"] is True
    url = f"/api/student/{giulia['id']}/homework/{homework[0]['id']}/submissions"
    saved = await client.post(url, json=submissions["save"])
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "in_progress"
    handed_in = await client.post(url, json=submissions["hand-in"])
    assert handed_in.status_code == 200, handed_in.text
    assert handed_in.json()["status"] == "completed"
    assert len(handed_in.json()["results"]) == len(submissions["hand-in"]["answers"])


async def test_every_parameter_is_described_with_an_example(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    missing = [
        (operation["operationId"], parameter["name"])
        for operations in spec["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description") or "example" not in parameter
    ]
    assert missing == []


async def test_error_examples_are_the_answers_the_api_gives(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    student = await api.student("Giulia Rossi", "giulia@example.com")

    def example(path: str, method: str, code: str) -> dict[str, Any]:
        response = spec["paths"][path][method]["responses"][code]
        return dict(response["content"]["application/json"]["example"])

    # Every error response of every operation shows an example in the error shape.
    details = set()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    body = response["content"]["application/json"]["example"]
                    assert isinstance(body["detail"], str) and body["detail"], (path, code)
                    details.add(body["detail"])
    assert len(details) > 12  # not one sentence repeated everywhere

    answers = [
        (api.anonymous().get("/api/teacher/students"), "/api/teacher/students", "get", "401"),
        (
            api.client.post("/api/teacher/students", json={"name": "G", "email": student["email"]}),
            "/api/teacher/students",
            "post",
            "409",
        ),
        (
            api.client.get("/api/teacher/assignments/3"),
            "/api/teacher/assignments/{assignment_id}",
            "get",
            "404",
        ),
        (
            api.client.get("/api/teacher/students", headers=api.pupil_headers(student)),
            "/api/teacher/students",
            "get",
            "403",
        ),
        (
            api.client.post("/api/teacher/classes", json={}),
            "/api/teacher/classes",
            "post",
            "422",
        ),
        (
            api.client.post(
                "/api/teacher/classes",
                content=b'{"name": "3B",',
                headers={"Content-Type": "application/json"},
            ),
            "/api/teacher/classes",
            "post",
            "400",
        ),
    ]
    for call, path, method, code in answers:
        response = await call
        assert str(response.status_code) == code, (path, response.text)
        documented = example(path, method, code)
        if code in ("404", "422"):
            # Same sentence, with the id or field of this request.
            assert (
                response.json()["detail"].split(":")[0].split()[0]
                == documented["detail"].split(":")[0].split()[0]
            )
        elif code == "400":
            assert response.json()["detail"].startswith("The request body is not valid JSON")
            assert documented["detail"].startswith("The request body is not valid JSON")
        else:
            assert response.json() == documented, path


async def test_topic_null_is_refused_as_the_schema_says(api: Api) -> None:
    student = await api.student()
    response = await api.client.post(
        "/api/teacher/assignments",
        json={"cefr_level": "A2", "topic": None, "student_ids": [student["id"]]},
    )
    assert response.status_code == 422
    assert "topic" in response.json()["detail"]
    spec = (await api.client.get("/openapi.json")).json()
    topic = spec["components"]["schemas"]["AssignmentCreate"]["properties"]["topic"]
    assert topic["type"] == "string"


async def test_a_body_nested_too_deeply_is_a_400_that_says_so(api: Api) -> None:
    response = await api.client.post(
        "/api/teacher/classes",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
