"""The teacher's students and classes pages in process: add a student, import a roster with its
report, pupils' links shown once, new link, delete, classes, CSRF, origin and ownership."""

from __future__ import annotations

import re

import httpx

from tests.api.conftest import Api, sign_in
from tests.api.pages.conftest import Browser

LINK = re.compile(r'value="(http://api/s/(its_[^"]+))"')
EMPTY_FILE = {"file": ("", b"", "application/octet-stream")}


def links_of(html: str) -> list[str]:
    """The pupils' tokens shown on a page, in order."""
    return [token for _, token in LINK.findall(html)]


async def homework_status(api: Api, student_id: int, token: str) -> int:
    """What the pupil's API answers to this token."""
    response = await api.anonymous().get(
        f"/api/student/{student_id}/homework", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


async def student_id(api: Api, email: str) -> int:
    listing = (await api.client.get("/api/teacher/students")).json()
    return next(int(s["id"]) for s in listing if s["email"] == email)


async def test_students_page_offers_every_form_with_labels(browser: Browser, api: Api) -> None:
    await api.student("Giulia Rossi", "giulia@example.com")

    page = await browser.client.get("/teacher/students")

    assert page.status_code == 200
    html = page.text
    assert "Giulia Rossi" in html and "giulia@example.com" in html
    for label in ("Name", "Email", "Paste a roster", "Add them to class", "Class name"):
        assert f">{label}</label>" in html, label
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert 'accept=".csv,text/csv' in html
    assert html.count('name="csrf_token"') >= 5  # sign out, add, import, class, new link
    assert '<span class="visually-hidden"> for Giulia Rossi</span>' in html
    # Nothing inline for the Content-Security-Policy to refuse.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html


async def test_anonymous_visitors_go_to_sign_in(api: Api) -> None:
    anonymous = Browser(api)
    for path in ("/teacher/students", "/teacher/classes/1"):
        response = await anonymous.client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/?next=")


async def test_add_a_student_shows_their_link_once(browser: Browser, api: Api) -> None:
    added = await browser.post(
        "/teacher/students", {"name": "  Giulia   Rossi ", "email": "Giulia@Example.com"}
    )

    assert added.status_code == 200, added.text
    assert added.headers["cache-control"] == "no-store"
    assert "shown <strong>only once</strong>" in added.text
    assert 'Copy link<span class="visually-hidden"> for Giulia Rossi</span>' in added.text
    assert '<script src="/static/copy.js" defer></script>' in added.text
    [token] = links_of(added.text)
    giulia = await student_id(api, "giulia@example.com")
    assert await homework_status(api, giulia, token) == 200
    # The link is never shown again.
    listing = await browser.client.get("/teacher/students")
    assert "Giulia Rossi" in listing.text and token not in listing.text


async def test_add_a_student_explains_what_is_wrong(browser: Browser, api: Api) -> None:
    await api.student("Giulia Rossi", "giulia@example.com")

    bad = await browser.post("/teacher/students", {"name": "", "email": "not-an-email"})
    assert bad.status_code == 422
    assert 'role="alert"' in bad.text and 'aria-invalid="true"' in bad.text
    assert "Enter the name." in bad.text and "Enter a valid email address" in bad.text
    assert 'value="not-an-email"' in bad.text  # what was typed stays

    hidden = await browser.post(
        "/teacher/students", {"name": "Giu\u202elia", "email": "g2@example.com"}
    )
    assert hidden.status_code == 422
    assert "The name contains control or text-direction characters (U+202E)" in hidden.text

    taken = await browser.post("/teacher/students", {"name": "G", "email": "GIULIA@example.com"})
    assert taken.status_code == 409
    assert "giulia@example.com is already one of your students" in taken.text


async def test_import_reports_each_row_and_shows_the_new_links(browser: Browser, api: Api) -> None:
    roster = (
        "name,email\n"
        "Giulia Rossi,giulia@example.com\n"
        "Marco Neri,marco-at-example.com\n"
        '"Esposito, Sofia",sofia@example.com\n'
    )

    result = await browser.post("/teacher/students/import", {"roster": roster}, files=EMPTY_FILE)

    assert result.status_code == 200, result.text
    assert result.headers["cache-control"] == "no-store"
    html = result.text
    assert "2 pupils added" in html and "1 row refused" in html
    assert "invalid email address (An email address must have an @-sign.)" in html
    assert html.count(">added</span>") == 2 and html.count(">refused</span>") == 1
    assert '<td class="number">3</td>' in html  # the refused line, as the file numbers it
    tokens = links_of(html)
    assert len(tokens) == 2
    assert 'Copy link<span class="visually-hidden"> for Esposito, Sofia</span>' in html
    sofia = await student_id(api, "sofia@example.com")
    assert await homework_status(api, sofia, tokens[1]) == 200


async def test_import_a_latin1_semicolon_file_into_a_new_class(browser: Browser, api: Api) -> None:
    await api.student("Giulia Rossi", "giulia@example.com")
    data = "Email;Nome\r\nniccolo@example.com;Niccolò Bianchi\r\ngiulia@example.com;Giulia\r\n"

    result = await browser.post(
        "/teacher/students/import",
        {"new_class": "3B"},
        files={"file": ("3B.csv", data.encode("cp1252"), "text/csv")},
    )

    assert result.status_code == 200, result.text
    assert "Niccolò Bianchi" in result.text
    assert "already one of your students" in result.text
    assert "From the file <strong>3B.csv</strong>" in result.text
    [classroom] = (await api.client.get("/api/teacher/classes")).json()
    assert classroom["name"] == "3B"
    assert classroom["student_ids"] == [await student_id(api, "niccolo@example.com")]


async def test_import_into_an_existing_class(browser: Browser, api: Api) -> None:
    classroom = (await api.client.post("/api/teacher/classes", json={"name": "4C"})).json()

    result = await browser.post(
        "/teacher/students/import",
        {"roster": "Lia Verdi;lia@example.com", "class_id": str(classroom["id"])},
    )

    assert result.status_code == 200
    assert f'href="/teacher/classes/{classroom["id"]}"' in result.text
    members = (await api.client.get(f"/api/teacher/classes/{classroom['id']}")).json()
    assert members["student_ids"] == [await student_id(api, "lia@example.com")]


async def test_import_refuses_what_it_cannot_read(browser: Browser, api: Api) -> None:
    nothing = await browser.post("/teacher/students/import", {"roster": ""}, files=EMPTY_FILE)
    assert nothing.status_code == 422 and "The roster has no students" in nothing.text

    both = await browser.post(
        "/teacher/students/import",
        {"roster": "A,a@example.com"},
        files={"file": ("a.csv", b"B,b@example.com", "text/csv")},
    )
    assert both.status_code == 422 and "not both" in both.text
    assert "A,a@example.com</textarea>" in both.text

    many = "\n".join(f"Pupil {i},p{i}@example.com" for i in range(1001))
    too_many = await browser.post("/teacher/students/import", {"roster": many})
    assert too_many.status_code == 422 and "more than 1000 rows" in too_many.text

    workbook = await browser.post(
        "/teacher/students/import",
        {},
        files={"file": ("class.xlsx", b"PK\x03\x04rest-of-a-zip", "application/octet-stream")},
    )
    assert workbook.status_code == 422 and "workbook" in workbook.text

    no_class = await browser.post(
        "/teacher/students/import", {"roster": "A,a@example.com", "class_id": "999"}
    )
    assert no_class.status_code == 404 and "not one of yours" in no_class.text

    await api.client.post("/api/teacher/classes", json={"name": "3B"})
    taken = await browser.post(
        "/teacher/students/import", {"roster": "A,a@example.com", "new_class": "3B"}
    )
    assert taken.status_code == 409 and "already have a class named" in taken.text
    # Refused before anything was written.
    assert (await api.client.get("/api/teacher/students")).json() == []


async def test_new_link_stops_the_old_one(browser: Browser, api: Api) -> None:
    giulia = await api.student("Giulia Rossi")
    old = api.auth.student_tokens[giulia["id"]]
    assert await homework_status(api, giulia["id"], old) == 200

    page = await browser.post(f"/teacher/students/{giulia['id']}/link")

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "The previous link of Giulia Rossi no longer works" in page.text
    [new] = links_of(page.text)
    assert new != old
    assert await homework_status(api, giulia["id"], old) == 401
    assert await homework_status(api, giulia["id"], new) == 200


async def test_delete_asks_first_then_deletes_the_student_and_homework(
    browser: Browser, api: Api
) -> None:
    giulia = await api.student("Giulia Rossi")
    marco = await api.student("Marco Neri")
    assignment = await api.assignment([giulia["id"], marco["id"]], quantity=2)
    await api.wait_done(assignment["id"])

    confirm = await browser.client.get(f"/teacher/students/{giulia['id']}/delete")
    assert confirm.status_code == 200
    assert "all their homework" in confirm.text and "cannot be undone" in confirm.text
    deleted = await browser.post(f"/teacher/students/{giulia['id']}/delete")

    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/teacher/students?done=student-deleted"
    after = await browser.client.get(deleted.headers["location"])
    assert "<td>Giulia Rossi</td>" not in after.text and 'role="status"' in after.text
    gone = await api.client.get(f"/api/teacher/students/{giulia['id']}")
    assert gone.status_code == 404
    remaining = (await api.client.get(f"/api/teacher/assignments/{assignment['id']}")).json()
    assert remaining["student_ids"] == [marco["id"]]
    again = await browser.post(f"/teacher/students/{giulia['id']}/delete")
    assert again.status_code == 404 and "text/html" in again.headers["content-type"]


async def test_class_create_add_remove_delete(browser: Browser, api: Api) -> None:
    giulia = await api.student("Giulia Rossi")
    marco = await api.student("Marco Neri")

    created = await browser.post("/teacher/classes", {"name": " 3B "})
    assert created.status_code == 303
    url = created.headers["location"]
    page = await browser.client.get(url)
    assert page.status_code == 200 and "Class 3B" in page.text
    assert "Nobody is in this class yet" in page.text

    nobody = await browser.post(f"{url}/students", {})
    assert nobody.status_code == 422 and "Tick at least one student" in nobody.text
    added = await browser.post(f"{url}/students", {"student_id": [giulia["id"], marco["id"]]})
    assert added.status_code == 303 and added.headers["location"] == f"{url}?done=added"
    class_id = int(url.rsplit("/", 1)[1])
    body = (await api.client.get(f"/api/teacher/classes/{class_id}")).json()
    assert body["student_ids"] == [giulia["id"], marco["id"]]
    page = await browser.client.get(url)
    assert "Every one of your students is in this class" in page.text
    assert 'Remove<span class="visually-hidden"> Giulia Rossi</span> from class' in page.text

    removed = await browser.post(f"{url}/students/{giulia['id']}/remove")
    assert removed.status_code == 303
    body = (await api.client.get(f"/api/teacher/classes/{class_id}")).json()
    assert body["student_ids"] == [marco["id"]]

    same_name = await browser.post("/teacher/classes", {"name": "3B"})
    assert same_name.status_code == 409 and "already have a class named" in same_name.text
    empty = await browser.post("/teacher/classes", {"name": "  "})
    assert empty.status_code == 422 and "Enter a name." in empty.text

    deleted = await browser.post(f"{url}/delete")
    assert deleted.status_code == 303
    assert (await browser.client.get(url)).status_code == 404
    # Its students stay.
    assert len((await api.client.get("/api/teacher/students")).json()) == 2


async def test_forms_need_the_csrf_token_and_our_origin(browser: Browser, api: Api) -> None:
    form = {"name": "Giulia Rossi", "email": "giulia@example.com"}
    missing = await browser.client.post("/teacher/students", data=form)
    assert missing.status_code == 403
    assert missing.headers["content-type"].startswith("text/html")
    assert "expired" in missing.text and 'role="alert"' in missing.text
    cross = await browser.post("/teacher/students", form, headers={"Origin": "http://evil.test"})
    assert cross.status_code == 403 and "another site" in cross.text
    imported = await browser.client.post(
        "/teacher/students/import", data={"roster": "A,a@example.com"}, files=EMPTY_FILE
    )
    assert imported.status_code == 403
    assert (await api.client.get("/api/teacher/students")).json() == []


async def test_another_teachers_class_and_students_are_not_found(
    browser: Browser, api: Api
) -> None:
    other = {"name": "Bruno Verdi", "email": "bruno@example.com", "password": "another-pass"}
    assert (await api.client.post("/api/admin/teachers", json=other)).status_code == 201
    headers = {
        "Authorization": f"Bearer {await sign_in(api.anonymous(), other['email'], other['password'])}"
    }
    async with api.anonymous() as client:
        theirs = (
            await client.post("/api/teacher/classes", json={"name": "5A"}, headers=headers)
        ).json()
        pupil = await client.post(
            "/api/teacher/students",
            json={"name": "Pia", "email": "pia@example.com"},
            headers=headers,
        )
    their_pupil = pupil.json()["id"]
    mine = await api.student("Giulia Rossi")

    page = await browser.client.get(f"/teacher/classes/{theirs['id']}")
    assert page.status_code == 404 and "not one of yours" in page.text
    assert "text/html" in page.headers["content-type"]
    for path, data in (
        (f"/teacher/classes/{theirs['id']}/students", {"student_id": [mine["id"]]}),
        (f"/teacher/classes/{theirs['id']}/delete", {}),
        (f"/teacher/students/{their_pupil}/link", {}),
        (f"/teacher/students/{their_pupil}/delete", {}),
    ):
        response = await browser.post(path, data)
        assert response.status_code == 404, path
    assert (await browser.client.get(f"/teacher/students/{their_pupil}/delete")).status_code == 404
    # Adding their pupil to my class is refused too.
    mine_class = await browser.post("/teacher/classes", {"name": "1A"})
    refused = await browser.post(
        f"{mine_class.headers['location']}/students", {"student_id": [their_pupil]}
    )
    assert refused.status_code == 422
    async with httpx.AsyncClient(transport=api.client._transport, base_url="http://api") as c:
        still = await c.get(f"/api/teacher/classes/{theirs['id']}", headers=headers)
    assert still.status_code == 200
