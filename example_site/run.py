#!/usr/bin/env python
"""Start the example site in one command: apply migrations (once), then serve on 127.0.0.1.

    .venv/bin/python example_site/run.py          # http://127.0.0.1:8000/
    .venv/bin/python example_site/run.py 8080

Needs the Django extra, which the README's first command installs: ``.venv/bin/pip install -e ".[django]"``.
"""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INSTALL_HINT = 'the example site needs Django: run  .venv/bin/pip install -e ".[django]"  in the checkout'


def main() -> int:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    port = sys.argv[1] if len(sys.argv) > 1 else "8000"
    try:
        import django
        from django.core.management import call_command, execute_from_command_line
    except ImportError:
        print(f"example_site/run.py: {INSTALL_HINT}", file=sys.stderr)
        return 1
    django.setup()
    # runserver's autoreloader runs this script again in a child process (RUN_MAIN=true): migrate once.
    if os.environ.get("RUN_MAIN") != "true":
        call_command("migrate", interactive=False, verbosity=1)
    execute_from_command_line([sys.argv[0], "runserver", f"127.0.0.1:{port}"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
