"""A real FileSystemStorage whose reads of some files fail a few times first, as an object store does
during an outage: ``SMARTCROP_TEST_FLAKY="name,name"`` and ``SMARTCROP_TEST_FLAKY_TIMES`` (per process);
or hang (``SMARTCROP_TEST_SLOW="name"``): for ``SMARTCROP_TEST_SLOW_SECONDS``, or until the file named by
``SMARTCROP_TEST_GATE`` exists, so a test holds a child process at a known point for as long as it needs.
Without these variables it is a plain FileSystemStorage."""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

from django.core.files.storage import FileSystemStorage


class FlakyStorage(FileSystemStorage):
    failed: Counter = Counter()

    def _open(self, name: str, mode: str = "rb") -> Any:
        flaky = set(filter(None, os.environ.get("SMARTCROP_TEST_FLAKY", "").split(",")))
        if name in flaky and self.failed[name] < int(os.environ.get("SMARTCROP_TEST_FLAKY_TIMES", "2")):
            self.failed[name] += 1
            raise OSError(f"the storage is unavailable (failure {self.failed[name]} for {name})")
        if name in set(filter(None, os.environ.get("SMARTCROP_TEST_SLOW", "").split(","))):
            gate = os.environ.get("SMARTCROP_TEST_GATE")
            deadline = time.monotonic() + float(os.environ.get("SMARTCROP_TEST_SLOW_SECONDS", "30"))
            while time.monotonic() < deadline and not (gate and os.path.exists(gate)):
                time.sleep(0.05)
        return super()._open(name, mode)
