"""Every table, imported in one place so metadata and migrations see them all."""

from api.accounts.models import Teacher, TeacherToken
from api.assignments.models import Assignment
from api.classes.models import ClassMember, Classroom
from api.core.database import Base
from api.homework.models import Homework
from api.students.models import Student

__all__ = [
    "Assignment",
    "Base",
    "ClassMember",
    "Classroom",
    "Homework",
    "Student",
    "Teacher",
    "TeacherToken",
]
