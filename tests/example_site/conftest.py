"""Fixtures for the example-site tests: its URLs and a tmp media folder (the model: the root ``shipped_model``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import caches

@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("SMARTCROP_MODEL", raising=False)
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.ROOT_URLCONF = "example_site.urls"
    caches["default"].clear()
    return root
