"""The signed crop view: forged or edited URLs get a 4xx before any query or storage call; crops are
written atomically."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from django_smartcrop import renditions
from django_smartcrop.links import links
from django_smartcrop.signing import CropRequest, crop_url

from testsupport.django_site.storage import CountingStorage
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db


def _view_url(photo, ratio="16:9", width=320) -> str:
    (link,) = links(photo.image, ratio, [width])
    assert link.kind == "view"
    return link.url


@pytest.mark.parametrize(
    "edit",
    [
        lambda url: url.replace("/w320/", "/w4000/"),  # another size
        lambda url: url.replace("/16x9/", "/1x1/"),  # another ratio
        lambda url: url.rsplit("/", 2)[0] + "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/",  # forged signature
        lambda url: url.rsplit("/", 2)[0] + "/x/",  # unsigned
    ],
    ids=["size", "ratio", "forged", "unsigned"],
)
def test_tampered_urls_are_refused_without_work(photo, client, media, edit, django_assert_num_queries):
    url = edit(_view_url(photo))
    CountingStorage.reset()
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 403
    assert CountingStorage.calls == []
    assert not (media / "smartcrop").exists()


def test_signed_but_oversized_is_refused(photo, client, settings):
    settings.SMARTCROP_MAX_SIZE = 500
    url = crop_url(CropRequest("smartcrop_testapp.photo", str(photo.pk), "image", "16x9", "w501"))
    CountingStorage.reset()
    assert client.get(url).status_code == 400
    assert CountingStorage.calls == []


def test_templates_clamp_to_the_size_bound(photo, settings):
    settings.SMARTCROP_MAX_SIZE = 100
    (link,) = links(photo.image, "16:9", [3000])
    assert (link.width, link.height) == (100, 56)


def test_post_and_unknown_rows(photo, client):
    url = _view_url(photo)
    assert client.post(url).status_code == 405
    missing = crop_url(CropRequest("smartcrop_testapp.photo", "999", "image", "16x9", "w320"))
    assert client.get(missing).status_code == 404
    not_ours = crop_url(CropRequest("smartcrop_testapp.photo", str(photo.pk), "title", "16x9", "w320"))
    assert client.get(not_ours).status_code == 404


def test_view_redirects_to_the_crop_and_remembers_it(photo, client, media):
    CountingStorage.reset()
    response = client.get(_view_url(photo))
    assert {"open", "exists", "save"} <= {call[0] for call in CountingStorage.calls}  # the counter counts
    assert response.status_code == 302
    name = response["Location"].removeprefix("/media/")
    assert (media / name).stat().st_size > 0
    assert renditions.known([name]) == {name}
    assert not list(media.rglob(".smartcrop-*"))  # no temporary file left behind
    CountingStorage.reset()
    (link,) = links(photo.image, "16:9", [320])
    assert link.kind == "file" and CountingStorage.io_calls() == []


def test_registry_survives_a_cache_flush(photo, client, django_assert_num_queries):
    from django.core.cache import caches

    client.get(_view_url(photo))
    caches["default"].clear()
    with django_assert_num_queries(1):
        (link,) = links(photo.image, "16:9", [320])
    assert link.kind == "file"
    with django_assert_num_queries(0):  # cached again
        links(photo.image, "16:9", [320])


def test_failed_encoding_leaves_no_file(photo, client, media, monkeypatch):
    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(renditions, "encode", explode)
    response = client.get(_view_url(photo))
    assert response.status_code == 302 and response["Location"] == photo.image.url  # the original instead
    assert not (media / "smartcrop").exists() or not [p for p in (media / "smartcrop").rglob("*") if p.is_file()]


def test_interrupted_write_leaves_no_partial_file(photo, media, monkeypatch):
    """A crash while storage moves the file in place must not leave a half file under the crop's name."""
    from django.core.files.storage import FileSystemStorage

    def crash(self, name, content):
        raise KeyboardInterrupt

    monkeypatch.setattr(FileSystemStorage, "_save", crash)
    (link,) = links(photo.image, "1:1", [100])
    with pytest.raises(KeyboardInterrupt):
        renditions.ensure(link.spec, photo.image.storage)
    assert not [p for p in media.rglob("*") if p.is_file() and "smartcrop" in str(p)]


def test_undecodable_source_redirects_to_original(db, client, media):
    item = Photo.objects.create()
    item.image.save("text.jpg", ContentFile(b"text"), save=True)
    state = Photo.objects.get(pk=item.pk).image.smartcrop
    assert state.status == "error" and not state.has_size
    (link,) = links(Photo.objects.get(pk=item.pk).image, "16:9", [320])
    assert link.kind == "original" and link.url == item.image.url


def test_a_moved_box_gets_a_new_name(photo, client):
    first = _view_url(photo, "1:1", 100)
    (before,) = links(photo.image, "1:1", [100])
    photo.saliency = photo.image.smartcrop.with_overrides({"1:1": [0, 0, 320, 320]}).to_value()
    photo.save()
    (after,) = links(photo.image, "1:1", [100])
    assert after.spec.name != before.spec.name and after.spec.box_source == "manual"
    assert after.url == first  # the signed URL is stable; the view renders the current box


def test_crops_go_to_their_own_storage(photo, client, settings, tmp_path, media):
    settings.STORAGES = {**settings.STORAGES, "crops": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "crops"), "base_url": "/crops/"}}}
    settings.SMARTCROP_STORAGE = "crops"
    location = client.get(_view_url(photo))["Location"]
    assert location.startswith("/crops/smartcrop/")
    assert (tmp_path / "crops" / location.removeprefix("/crops/")).is_file()
    assert not (media / "smartcrop").exists()
    (link,) = links(photo.image, "16:9", [320])
    assert link.kind == "file" and link.url == location
