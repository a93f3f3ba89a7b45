"""Bounded cost per image: a crop that cannot be made is remembered (no decode per page view), and signed
URLs built from query-string values cannot multiply crop files (allow-lists, a cap per image)."""

from __future__ import annotations

import shutil

import pytest
from django.core.files.base import ContentFile

from django_smartcrop.links import links
from django_smartcrop.models import Crop
from django_smartcrop.signing import CropRequest, crop_url
from django_smartcrop.specs import spec_for

from tests.conftest import SHIPPED_MODEL
from .images import jpeg, scene
from testsupport.django_site.storage import CountingStorage
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db


def _signed(item: Photo, ratio_in_url: str, size: str) -> str:
    """The URL a template signs for these values (what a query string can make it sign)."""
    return crop_url(CropRequest("smartcrop_testapp.photo", str(item.pk), "image", ratio_in_url, size))


def _crop_files(media) -> list:
    folder = media / "smartcrop"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _source_opens(item: Photo) -> int:
    return sum(1 for method, name in CountingStorage.calls if method == "open" and name == item.image.name)


@pytest.fixture
def undecodable(db, shipped_model) -> Photo:
    """A JPEG whose header (size) reads but whose pixels do not: analysis fails, crops cannot be made."""
    data = jpeg(scene(640, 480))
    item = Photo.objects.create()
    item.image.save("cut.jpg", ContentFile(data[: len(data) // 2]), save=True)
    item.refresh_from_db()
    state = item.image.smartcrop
    assert state.status == "error" and state.has_size
    return item


def test_a_failed_crop_is_remembered_until_the_model_changes(undecodable, client, settings, tmp_path, media):
    url = _signed(undecodable, "16x9", "w320")
    CountingStorage.reset()
    first = client.get(url)
    assert first.status_code == 302 and first["Location"] == undecodable.image.url
    assert _source_opens(undecodable) == 1  # tried once: a full read and decode
    for _ in range(3):
        CountingStorage.reset()
        again = client.get(url)
        assert again.status_code == 302 and again["Location"] == undecodable.image.url
        assert "no-cache" in again["Cache-Control"]
        assert _source_opens(undecodable) == 0  # remembered: no read, no decode
    other_model = tmp_path / "other.onnx"
    shutil.copyfile(SHIPPED_MODEL, other_model)
    settings.SMARTCROP_MODEL = str(other_model)
    CountingStorage.reset()
    assert client.get(url).status_code == 302
    assert _source_opens(undecodable) == 1  # a new model: tried again
    assert _crop_files(media) == []


def test_a_failed_crop_is_retried_for_a_new_file(undecodable, client, media):
    url = _signed(undecodable, "16x9", "w320")
    client.get(url)
    undecodable.image.save("fixed.jpg", ContentFile(jpeg(scene(640, 480))), save=True)
    response = client.get(url)  # the same signed URL, now for the new file
    assert response.status_code == 302 and response["Location"].startswith("/media/smartcrop/")
    assert len(_crop_files(media)) == 1


def test_allowed_widths_fold_800_query_string_widths_onto_the_list(photo, client, settings, media):
    settings.SMARTCROP_ALLOWED_WIDTHS = [320, 160]
    found = {(link.width, link.height) for width in range(1, 801) for link in links(photo.image, "16:9", [width])}
    assert found == {(160, 90), (320, 180)}
    for width in range(1, 801, 4):  # an attacker's URLs, each signed by a template that echoed ?w=
        assert client.get(_signed(photo, "16x9", f"w{width}")).status_code == 302
    assert len(_crop_files(media)) == Crop.objects.count() == 2


@pytest.mark.parametrize("ratio", ["16:9", "1:1", "4:5", "9:16", "21:9", "3:1"])
def test_allowed_widths_give_the_same_crop_by_width_or_by_its_height(photo, settings, ratio):
    settings.SMARTCROP_ALLOWED_WIDTHS = [40, 64, 100, 101, 160, 333, 1000]
    for width in range(1, 1100, 7):
        by_width = spec_for(photo.image, ratio, width)
        by_height = spec_for(photo.image, ratio, None, by_width.height)
        assert (by_height.width, by_height.height) == (by_width.width, by_width.height), width


def test_spellings_of_one_ratio_make_one_file(photo, client, media):
    spellings = ["16x9", "016x09", "32x18", "160x90", "16x09", "0016x9", "١٦x٩", "48x27"]
    for spelling in spellings:
        assert client.get(_signed(photo, spelling, "w320")).status_code == 302
    assert len(_crop_files(media)) == 1


def test_ratios_outside_the_allow_list_are_refused(photo, client, settings, media):
    settings.SMARTCROP_ALLOWED_RATIOS = ["2:1"]
    assert client.get(_signed(photo, "3x1", "w320")).status_code == 400
    with pytest.raises(Exception, match="SMARTCROP_ALLOWED_RATIOS"):
        links(photo.image, "3:1", [320])
    assert client.get(_signed(photo, "2x1", "w320")).status_code == 302  # listed
    assert client.get(_signed(photo, "1x1", "w100")).status_code == 302  # the field's own ratios always work
    assert len(_crop_files(media)) == 2


def test_no_image_gets_more_crops_than_the_cap(photo, client, settings, media):
    settings.SMARTCROP_MAX_CROPS_PER_IMAGE = 3
    answers = [client.get(_signed(photo, "16x9", f"w{width}")) for width in (100, 110, 120, 130, 140)]
    assert [r["Location"].startswith("/media/smartcrop/") for r in answers] == [True, True, True, False, False]
    assert all(r["Location"] == photo.image.url for r in answers[3:])
    assert len(_crop_files(media)) == 3
    again = client.get(_signed(photo, "16x9", "w110"))  # crops that exist are still served
    assert again["Location"].startswith("/media/smartcrop/")
