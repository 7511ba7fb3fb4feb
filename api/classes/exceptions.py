"""Errors of the classes domain."""

from api.core.errors import Conflict, NotFound


class ClassNotFound(NotFound):
    def __init__(self, class_id: int) -> None:
        super().__init__(f"Class {class_id} not found: list classes with GET /api/teacher/classes.")


class ClassNameTaken(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(f"You already have a class named {name!r}: choose another name.")
