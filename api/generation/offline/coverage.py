"""Print the coverage table of the offline generator (focus → levels → exercise types) for
``docs/italian.md``: ``python -m api.generation.offline.coverage``."""

from api.generation.offline.registry import coverage_table

if __name__ == "__main__":
    print(coverage_table())
