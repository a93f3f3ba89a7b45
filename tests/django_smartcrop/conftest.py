"""Fixtures for the Django tests: a fresh media folder per test with a call-counting storage and an
uploaded photo. The shipped model is the root conftest's ``shipped_model``."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from PIL import ImageFile

from testsupport.django_site.faulty_storage import FaultyStorage
from .images import jpeg
from testsupport.django_site.storage import CountingStorage


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch) -> Path:
    """Real FileSystemStorage (counting calls) in a tmp folder; a clean cache; the shipped model."""
    monkeypatch.delenv("SMARTCROP_MODEL", raising=False)
    # Importing thumbor's PIL engine (other test packages do, at collection) turns this on process-wide;
    # a Django site runs with Pillow's default, so these tests do too.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        "default": {"BACKEND": "testsupport.django_site.storage.CountingStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    caches["default"].clear()
    CountingStorage.reset()
    return root



@pytest.fixture
def photo(db, shipped_model):
    """A saved Photo whose saliency was computed at save (sync backend)."""
    from testsupport.django_site.testapp.models import Photo

    item = Photo(title="red disc")
    item.image.save("disc.jpg", ContentFile(jpeg()), save=True)
    item.refresh_from_db()
    return item


@pytest.fixture
def faulty(settings, media) -> Iterator[Path]:
    """Crops go to a FaultyStorage in media/crops (the uploads stay in the ordinary storage)."""
    settings.STORAGES = {**settings.STORAGES, "crops": {
        "BACKEND": "testsupport.django_site.faulty_storage.FaultyStorage",
        "OPTIONS": {"location": str(media / "crops"), "base_url": "/crops/"}}}
    settings.SMARTCROP_STORAGE = "crops"
    FaultyStorage.reset()
    yield media / "crops"
    FaultyStorage.reset()
