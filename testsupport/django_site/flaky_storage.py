"""A real FileSystemStorage whose reads of some files fail a few times first, as an object store does
during an outage: ``SMARTCROP_TEST_FLAKY="name,name"`` and ``SMARTCROP_TEST_FLAKY_TIMES`` (per process);
or hang for a while (``SMARTCROP_TEST_SLOW="name"``, ``SMARTCROP_TEST_SLOW_SECONDS``)."""

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
            time.sleep(float(os.environ.get("SMARTCROP_TEST_SLOW_SECONDS", "30")))
        return super()._open(name, mode)
