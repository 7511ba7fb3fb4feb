"""Classes: a teacher's named groups of students, to assign homework to at once."""
