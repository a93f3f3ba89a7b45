"""Crop files get the usual permissions, so a web server running as another user can serve them."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.files.storage import default_storage

from django_smartcrop.writing import write_atomic


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_crops_keep_the_umask_mode_when_django_sets_none(settings, media, umask):
    settings.FILE_UPLOAD_PERMISSIONS = None  # Django then keeps whatever mode the written file has
    previous = os.umask(umask)
    try:
        name = write_atomic(default_storage, "__smartcrop__/ab/photo-1x1-10x10-0123.jpg", b"complete bytes")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((media / name).stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in (media / name).parent.iterdir()] == ["photo-1x1-10x10-0123.jpg"]  # no temporary left
