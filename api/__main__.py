"""``python -m api``: the command line."""

from api.cli import main

main()
