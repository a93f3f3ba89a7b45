"""The ``smartcrop`` console script: ``smartcrop audit ...`` runs the audit, anything else the engine's CLI.

The dispatch lives here and not in ``smartcrop_core.cli`` so that the engine never imports the audit:
the audit uses the core, never the reverse, and ``smartcrop_core`` stays usable (and testable) alone.
"""

from __future__ import annotations

import sys
from typing import Sequence

from smartcrop_core.cli import main as crop_main

from .cli import main as audit_main


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smartcrop ARGS``; the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["audit"]:
        return audit_main(argv[1:])
    return crop_main(argv)
