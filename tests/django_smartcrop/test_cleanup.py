"""Deleting crops nothing serves any more: with their source file, and with smartcrop_cleanup."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from django_smartcrop import renditions
from django_smartcrop.cleanup import parse_name
from django_smartcrop.models import Crop
from django_smartcrop.specs import spec_for

from testsupport.django_site.faulty_storage import FaultyStorage
from .images import jpeg, scene
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db


def _upload(title: str, spot: tuple[float, float]) -> Photo:
    item = Photo(title=title)
    item.image.save(f"{title}.jpg", ContentFile(jpeg(scene(spot=spot))), save=True)
    item.refresh_from_db()
    return item


def _crop(item: Photo, ratio: str, width: int | None = None, height: int | None = None) -> str:
    return renditions.ensure(spec_for(item.image, ratio, width, height), item.image.storage)


def _registered() -> set[str]:
    return set(Crop.objects.values_list("name", flat=True))


def _on_disk(root) -> set[str]:
    """Crop files (and any temporary file) under ``root``'s crop folder."""
    return {str(p.relative_to(root)) for p in (root / "smartcrop").rglob("*") if p.is_file()}


def _cleanup(*args: str) -> str:
    out = StringIO()
    call_command("smartcrop_cleanup", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def photos(db, media, shipped_model) -> list[Photo]:
    return [_upload("left", (0.2, 0.5)), _upload("right", (0.8, 0.5))]


def test_parse_name():
    assert parse_name("smartcrop/ab/my-photo-2-16x9-320x180-0123456789abcdef0123.jpg") == ("16:9", 320, 180)
    assert parse_name("smartcrop/ab/x-1_91x1-191x100-0123456789abcdef0123.png") == ("1.91:1", 191, 100)
    assert parse_name("smartcrop/ab/not-a-crop.jpg") is None


def test_deleting_the_file_deletes_its_crops_only(photos, media):
    left, right = photos
    gone = {_crop(left, "16:9", 320), _crop(left, "1:1", 100), _crop(left, "4:5", height=150)}
    kept = {_crop(right, "16:9", 320), _crop(right, "1:1", 100)}
    assert _on_disk(media) == _registered() == gone | kept
    missing = min(gone)
    (media / missing).unlink()  # a crop file already gone must not keep its row
    source = left.image.name

    left.image.delete()

    assert not (media / source).exists()
    assert _on_disk(media) == _registered() == kept
    assert renditions.known(gone) == set()  # the cache forgot them too
    assert Photo.objects.get(pk=left.pk).saliency is None


def test_cleanup_deletes_the_crop_of_a_moved_box(photos, media, client):
    left, right = photos
    old = _crop(left, "16:9", 320)
    kept = {_crop(left, "1:1", 100), _crop(left, "4:5", height=150), _crop(right, "16:9", 320)}
    box, source = left.image.smartcrop.box("16:9")
    assert source == "auto" and box.top > 0
    left.saliency = left.image.smartcrop.with_overrides({"16:9": [0, 0, 480, 270]}).to_value()  # to the top
    left.save()
    new = spec_for(left.image, "16:9", 320).name
    assert new != old

    out = _cleanup()

    assert "4 crop(s) checked: deleted 1, 0 failed." in out
    assert not (media / old).exists() and old not in _registered()
    assert _on_disk(media) == _registered() == kept
    # The page now asks the view for the moved crop, which makes it.
    page = client.get(reverse("photo", args=[left.pk])).content.decode()
    url = re.search(r'<div id="wide"><img src="([^"]+)"', page).group(1)
    assert url.startswith("/smartcrop/")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"/media/{new}"
    assert (media / new).stat().st_size > 0 and new in _registered()
    assert "4 crop(s) checked: deleted 0, 0 failed." in _cleanup()


def test_cleanup_deletes_crops_of_deleted_rows_and_replaced_files(photos, media):
    left, right = photos
    orphans = {_crop(left, "16:9", 320), _crop(left, "1:1", 100), _crop(right, "1:1", 100)}
    Photo.objects.filter(pk=left.pk).delete()  # a queryset delete never calls FieldFile.delete
    right.image.save("replaced.jpg", ContentFile(jpeg(scene(spot=(0.5, 0.3)))), save=True)
    kept = {_crop(right, "16:9", 320)}

    out = _cleanup("smartcrop_testapp.Photo")  # labels: crops of deleted rows cannot be traced, so stay
    assert "1 crop(s) checked: deleted 0, 0 failed." in out
    assert _on_disk(media) == _registered() == orphans | kept

    out = _cleanup()
    assert "4 crop(s) checked: deleted 3, 0 failed." in out
    assert _on_disk(media) == _registered() == kept


def test_dry_run_deletes_nothing(photos, media):
    left, right = photos
    crops = {_crop(left, "16:9", 320), _crop(left, "1:1", 100), _crop(right, "16:9", 320)}
    Photo.objects.filter(pk=left.pk).delete()

    out = _cleanup("--dry-run")

    assert "3 crop(s) checked: would delete 2, 0 failed." in out
    assert sum("would delete smartcrop/" in line for line in out.splitlines()) == 2
    assert _on_disk(media) == _registered() == crops


def test_a_crop_that_cannot_be_deleted_is_reported_and_the_rest_go(photos, media, faulty):
    left, right = photos
    stuck = min({_crop(left, "16:9", 320), _crop(left, "1:1", 100), _crop(left, "9:16", 90)})
    kept = _crop(right, "16:9", 320)
    Photo.objects.filter(pk=left.pk).delete()
    FaultyStorage.undeletable = {stuck}
    out = _cleanup()
    assert "1 crop(s) could not be deleted:" in out and f"{stuck}: StorageBackendError: 403" in out
    assert "4 crop(s) checked: deleted 2, 1 failed." in out
    assert _on_disk(media / "crops") == _registered() == {stuck, kept}  # the stuck one stays registered
    assert renditions.known([stuck]) == {stuck}

    # FieldFile.delete goes past the failure the same way: the source and the other crops go.
    others = {_crop(right, "1:1", 100), _crop(right, "4:5", 80)}
    FaultyStorage.undeletable = {kept}
    right.image.delete()
    assert _on_disk(media / "crops") == _registered() == {stuck, kept}
    assert not others & _registered()

    FaultyStorage.undeletable = set()
    assert "2 crop(s) checked: deleted 2, 0 failed." in _cleanup()
    assert _on_disk(media / "crops") == _registered() == set()


def test_a_storage_that_raises_for_a_missing_file_still_loses_the_row(photos, faulty):
    left, _ = photos
    crop = _crop(left, "16:9", 320)
    (faulty / crop).unlink()
    FaultyStorage.undeletable = {crop}  # its delete raises although the file is gone
    assert renditions.delete_crops(left.image.name) == 1
    assert _registered() == set() and renditions.known([crop]) == set()


@pytest.mark.parametrize("arguments", [
    ("nosuchapp",),
    ("smartcrop_testapp.Photo.title",),
    ("--chunk-size", "0"),
])
def test_bad_arguments(db, arguments):
    with pytest.raises(CommandError):
        _cleanup(*arguments)


def test_crops_of_a_pending_row_are_kept(photos, media):
    """Until the analysis of a row's file is done, nothing can tell which of its crops are current."""
    left, _ = photos
    crop = _crop(left, "16:9", 320)
    moved = left.image.smartcrop.with_overrides({"16:9": [0, 0, 480, 270]}).to_value()
    Photo.objects.filter(pk=left.pk).update(saliency={**moved, "status": "pending"})
    assert "1 crop(s) checked: deleted 0, 0 failed." in _cleanup()
    assert crop in _on_disk(media) and crop in _registered()
    Photo.objects.filter(pk=left.pk).update(saliency=moved)
    assert "1 crop(s) checked: deleted 1, 0 failed." in _cleanup()
    assert crop not in _on_disk(media) | _registered()
