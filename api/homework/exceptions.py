"""Errors of the homework domain."""

from api.core.errors import Conflict, Invalid, NotFound


class HomeworkNotFound(NotFound):
    def __init__(self, student_id: int, homework_id: int) -> None:
        super().__init__(
            f"Homework {homework_id} not found for student {student_id}: list it with "
            f"GET /api/student/{student_id}/homework?status=all."
        )


class TeacherHomeworkNotFound(NotFound):
    def __init__(self, homework_id: int) -> None:
        super().__init__(
            f"Homework {homework_id} not found among your pupils': list an assignment's homework "
            "with GET /api/teacher/assignments/{assignment_id}/homework."
        )


class HomeworkNotReady(Conflict):
    def __init__(self, homework_id: int, status: str) -> None:
        reason = (
            "could not be generated; ask your teacher to create it again"
            if status == "failed"
            else "is still being generated; try again in a minute"
        )
        super().__init__(f"Homework {homework_id} {reason} (status {status}).")


class HomeworkAlreadySubmitted(Conflict):
    def __init__(self, homework_id: int) -> None:
        super().__init__(
            f"Homework {homework_id} was already submitted and graded; it cannot be submitted "
            f"again. Its results are in GET /api/student/{{id}}/homework/{homework_id}."
        )


class TooManyAnswers(Invalid):
    def __init__(self, given: int, expected: int) -> None:
        super().__init__(
            f"answers: {given} answers given but the homework has {expected} exercises; "
            "send one answer per exercise, in order."
        )


class BadChoiceIndex(Invalid):
    def __init__(self, position: int, index: int) -> None:
        super().__init__(
            f"answers[{position}]: option index {index} does not exist; "
            "use 0 to 3 or the option's text."
        )
