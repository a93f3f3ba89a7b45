#!/usr/bin/env python
"""Start the example site in one command: apply migrations, then serve on 127.0.0.1.

    .venv/bin/python example_site/run.py          # http://127.0.0.1:8000/
    .venv/bin/python example_site/run.py 8080
"""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    port = sys.argv[1] if len(sys.argv) > 1 else "8000"
    from django.core.management import call_command, execute_from_command_line

    import django

    django.setup()
    call_command("migrate", interactive=False, verbosity=1)
    execute_from_command_line([sys.argv[0], "runserver", f"127.0.0.1:{port}"])


if __name__ == "__main__":
    main()
