"""A remotecv loader for the tests: image bytes from the folder in $SMARTCROP_TEST_IMAGES (no HTTP)."""

import os
from pathlib import Path


def load_sync(path: str) -> bytes:
    return (Path(os.environ["SMARTCROP_TEST_IMAGES"]) / path).read_bytes()
