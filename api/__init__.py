"""Italian Teacher API: students, assignments and homework generated in the background."""

__version__ = "0.1.0"
