#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hunan_safety.settings")
    if sys.argv[1:2] != ["runserver"]:
        # Commands (migrate, seed_demo, export_ledger …) may run statements far longer than a page may.
        os.environ.setdefault("DB_STATEMENT_TIMEOUT", os.environ.get("DB_LONG_STATEMENT_TIMEOUT", "1800"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
