"""``python -m api``: the command line."""

from api.cli import main

if __name__ == "__main__":  # not when a child process of the API imports this module
    main()
