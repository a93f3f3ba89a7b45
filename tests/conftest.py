"""Fixtures shared by every test package: where the shared data lives, the shipped model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SMARTCROP_SHARED_DATA", REPO.parent / "shared" / "data"))
SHIPPED_MODEL = REPO / "smartcrop_core" / "models" / "saliency.onnx"

# One inference thread per test process: these machines have two cores.
os.environ.setdefault("SMARTCROP_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(autouse=True)
def pillow_defaults(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow's process-wide defaults for every test outside Thumbor's.

    Importing Thumbor's PIL engine sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole
    process (Thumbor serves truncated JPEGs on purpose). Standalone, the library refuses truncated
    files; its tests must see Pillow's default whatever ran before them in the same pytest process.
    """
    if "thumbor_plugin" not in str(request.node.path):
        from PIL import ImageFile

        monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (read-only; never copied into the repo)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    """The trained model that ships in the package."""
    assert SHIPPED_MODEL.is_file(), f"the shipped model is missing: {SHIPPED_MODEL}"
    return SHIPPED_MODEL
