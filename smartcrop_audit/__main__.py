"""``python -m smartcrop_audit pairs|focus ...`` runs the audit, as ``smartcrop audit pairs|focus ...`` does."""

import sys

from .cli import main

sys.exit(main())
