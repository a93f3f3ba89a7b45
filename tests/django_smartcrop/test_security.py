"""Security: only signed crop sizes are rendered (a forged URL does no work at all), file names cannot
reach outside MEDIA_ROOT, and sizes and ratios from templates or URLs are bounded."""

from __future__ import annotations

import logging
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from PIL import Image

import smartcrop_core.model
from django_smartcrop.links import links
from django_smartcrop.signing import CropRequest, crop_url, signature
from django_smartcrop.specs import max_size

from .images import jpeg
from testsupport.django_site.storage import CountingStorage
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(monkeypatch):
    """Counts model runs and image decodes (call-through wrappers around onnxruntime's caller and Pillow)."""
    counts = {"model runs": 0, "image opens": 0}
    predict, image_open = smartcrop_core.model.SaliencyModel.predict, Image.open
    open_allowed = smartcrop_core.loading.open_allowed

    def counting_predict(self, *args, **kwargs):
        counts["model runs"] += 1
        return predict(self, *args, **kwargs)

    def counting_open(*args, **kwargs):
        counts["image opens"] += 1
        return image_open(*args, **kwargs)

    def counting_open_allowed(*args, **kwargs):  # the core's own opener (it bypasses Image.open)
        counts["image opens"] += 1
        return open_allowed(*args, **kwargs)

    monkeypatch.setattr(smartcrop_core.model.SaliencyModel, "predict", counting_predict)
    monkeypatch.setattr(Image, "open", counting_open)
    monkeypatch.setattr(smartcrop_core.loading, "open_allowed", counting_open_allowed)
    return counts


def _view_url(photo, ratio="16:9", width=320) -> str:
    (link,) = links(photo.image, ratio, [width])
    assert link.kind == "view"
    return link.url


def _parts(url: str) -> list[str]:
    return url.strip("/").split("/")  # smartcrop c model pk field ratio size signature


def _replace(url: str, index: int, value: str) -> str:
    parts = _parts(url)
    parts[index] = value
    return "/" + "/".join(parts) + "/"


# -- signed crop URLs ------------------------------------------------------------------------------------


TAMPERED = {
    "another size": lambda u, other: _replace(u, 6, "w4000"),
    "a height instead": lambda u, other: _replace(u, 6, "h180"),
    "another ratio": lambda u, other: _replace(u, 5, "1x1"),
    "another row": lambda u, other: _replace(u, 3, str(other.pk)),
    "another field": lambda u, other: _replace(u, 4, "title"),
    "another model": lambda u, other: _replace(u, 2, "auth.user"),
    "forged signature": lambda u, other: _replace(u, 7, "A" * 43),
    "empty-looking signature": lambda u, other: _replace(u, 7, "-"),
    "a signature from another URL": lambda u, other: _replace(u, 7, _parts(_view_url(other))[7]),
    "case changed": lambda u, other: _replace(u, 7, _parts(u)[7].swapcase()),
    "traversal in the pk": lambda u, other: _replace(u, 3, "..%2F..%2Fetc%2Fpasswd"),
    "dot segments": lambda u, other: _replace(u, 3, ".."),
    "huge size": lambda u, other: _replace(u, 6, "w99999"),
    "long signature": lambda u, other: _replace(u, 7, _parts(u)[7] * 50),
}


@pytest.mark.parametrize("edit", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_crop_urls_are_refused_and_do_no_work(photo, client, media, work, edit, django_assert_num_queries):
    other = Photo.objects.create(title="other")
    other.image.save("other.jpg", ContentFile(jpeg()))
    url = edit(_view_url(photo), other)
    CountingStorage.reset()
    work.update({key: 0 for key in work})
    with django_assert_num_queries(0):
        response = client.get(url)
    assert 400 <= response.status_code < 500
    assert CountingStorage.calls == [] and work == {"model runs": 0, "image opens": 0}
    assert not (media / "smartcrop").exists()


@override_settings(SECRET_KEY="another-site")
def _signed_elsewhere(request: CropRequest) -> str:
    return signature(request)


def test_a_url_signed_with_another_key_is_refused(photo, client, work, django_assert_num_queries):
    url = _view_url(photo)
    parts = _parts(url)
    forged = _replace(url, 7, _signed_elsewhere(CropRequest(*parts[2:7])))
    assert forged != url
    CountingStorage.reset()
    with django_assert_num_queries(0):
        assert client.get(forged).status_code == 403
    assert CountingStorage.calls == [] and work["image opens"] == 0
    assert client.get(url).status_code == 302  # the genuine one works


def test_the_genuine_url_does_the_work_the_counters_count(photo, client, work):
    """The counters above are not blind: a genuine URL opens the source (no model run: the box is stored)."""
    CountingStorage.reset()
    assert client.get(_view_url(photo)).status_code == 302
    assert work["image opens"] >= 1 and work["model runs"] == 0
    assert {"open", "save"} <= {call[0] for call in CountingStorage.calls}


# -- path traversal in file names -------------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd.jpg",
    "..\\..\\..\\windows\\win.jpg",
    "/etc/passwd.jpg",
    "/../../../tmp/abs.jpg",
    "C:\\temp\\x.jpg",
    "....//....//x.jpg",
    "%2e%2e%2f%2e%2e%2fx.jpg",
    "..",
    ".smartcrop-x.part",
    "a" * 300 + ".jpg",
    "ünï cödé <script>.jpg",
]


def _raw_upload(client, file_name: str, data: bytes):
    """A multipart POST whose filename is sent exactly as given (as an attacker's client would send it)."""
    boundary = "smartcrop-boundary-7b1d"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{file_name}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.generic("POST", reverse("upload"), body, content_type=f"multipart/form-data; boundary={boundary}")


def _outside(root: Path, media: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and media not in p.parents}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_upload_names_stay_inside_media_root(client, media, tmp_path, shipped_model, name):
    before = _outside(tmp_path, media)
    response = _raw_upload(client, name, jpeg())
    assert response.status_code in (302, 400)
    assert _outside(tmp_path, media) == before  # nothing written outside MEDIA_ROOT
    if response.status_code == 400:  # e.g. a name over the field's 100 characters: a form error
        assert Photo.objects.count() == 0 and "image" in response.context["form"].errors
        return
    item = Photo.objects.get()
    if not item.image:  # Django's multipart parser dropped a file it could not name ("..")
        assert name == ".." and not [p for p in media.rglob("*") if p.is_file()]
        return
    stored = (media / item.image.name).resolve()
    assert media.resolve() in stored.parents and stored.parent == (media / "photos").resolve()
    assert ".." not in item.image.name and "\\" not in item.image.name
    page = client.get(response["Location"]).content.decode()
    for url in re.findall(r'/smartcrop/c/[^"\s]+', page):
        location = client.get(url)["Location"]
        crop = (media / location.removeprefix("/media/")).resolve()
        assert crop.is_file() and (media / "smartcrop").resolve() in crop.parents
        assert re.fullmatch(r"[A-Za-z0-9_-]+-\d+x\d+-\d+x\d+-[0-9a-f]{20}\.jpg", crop.name)
    assert _outside(tmp_path, media) == before


@pytest.mark.parametrize("stored_name", ["../outside.jpg", "../../outside.jpg", "{outside}"])
def test_file_names_pointing_outside_media_are_never_read(media, tmp_path, shipped_model, stored_name, client, caplog):
    """A name set in code or in the database (not through an upload) that points outside MEDIA_ROOT."""
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(jpeg())
    (tmp_path.parent / "outside.jpg").write_bytes(jpeg())
    name = stored_name.format(outside=outside)
    item = Photo.objects.create(image=name)  # post_save analyses: the storage refuses the name
    state = Photo.objects.get(pk=item.pk).image.smartcrop
    assert state.status == "error" and "SuspiciousFileOperation" in state.error and not state.has_size
    Photo.objects.update(saliency=None)
    call_command("smartcrop_recompute", "--warm", "16:9@100", stdout=StringIO(), stderr=StringIO())
    state = Photo.objects.get(pk=item.pk).image.smartcrop
    assert state.status == "error" and not state.has_size  # still never read
    (link,) = links(Photo.objects.get(pk=item.pk).image, "16:9", [100])
    assert link.kind == "original"  # no crop is made from it
    assert not (media / "smartcrop").exists()


def test_crop_names_are_built_only_from_safe_characters(db, media, shipped_model):
    item = Photo()
    item.image.save("x.jpg", ContentFile(jpeg()))
    Photo.objects.filter(pk=item.pk).update(image="photos/../photos/;rm -rf $HOME;..\\evil name.jpg")
    item = Photo.objects.get(pk=item.pk)
    item.saliency = dict(item.saliency, name=item.image.name)
    (link,) = links(item.image, "1:1", [50])
    assert re.fullmatch(r"smartcrop/[0-9a-f]{2}/[A-Za-z0-9_-]+-1x1-50x50-[0-9a-f]{20}\.jpg", link.spec.name)


# -- bounded sizes and ratios ------------------------------------------------------------------------------


def _render(source: str, **context) -> str:
    return Template("{% load smartcrop %}" + source).render(Context(context))


@pytest.mark.parametrize("upscale, max_setting, bound", [(False, 4000, 480), (True, 4000, 4000), (True, 10**9, 10_000)])
def test_template_sizes_are_bounded(photo, settings, upscale, max_setting, bound):
    settings.SMARTCROP_UPSCALE = upscale
    settings.SMARTCROP_MAX_SIZE = max_setting
    for tag in ('{% smartcrop p.image "16:9" width=w as c %}{{ c.width }}x{{ c.height }}',
                '{% smartcrop p.image "9:16" height=w as c %}{{ c.width }}x{{ c.height }}',
                '{% smartcrop p.image "1:100" height=w as c %}{{ c.width }}x{{ c.height }}',
                '{% smartcrop p.image "100:1" widths=ws as c %}{{ c.width }}x{{ c.height }}'):
        width, height = map(int, _render(tag, p=photo, w=100000, ws="100000,99999").split("x"))
        assert 1 <= width <= bound and 1 <= height <= bound
    assert max_size() <= 10_000


@pytest.mark.parametrize("value", ["100000:1", "1:100000", "0:1", "banana", "../../etc/passwd", "1e308", "nan"])
def test_user_supplied_bad_ratios_render_nothing_not_an_error(photo, value, caplog):
    caplog.set_level(logging.WARNING)
    assert _render('{% smartcrop p.image r width=100 %}', p=photo, r=value) == ""
    assert _render('{{ p.image|smartcrop_url:r }}', p=photo, r=value) == ""
    assert _render('{{ p.image|smartcrop_position:r }}', p=photo, r=value) == "50% 50%"
    assert "smartcrop" in caplog.text


@pytest.mark.parametrize("value", ["-5", "0", "1e9", "abc", "9" * 400])
def test_user_supplied_bad_widths_render_nothing_or_are_clamped(photo, value):
    html = _render('{% smartcrop p.image "16:9" width=w %}', p=photo, w=value)
    if html:
        assert int(re.search(r'width="(\d+)"', html).group(1)) <= 480  # the source's width: no upscaling
    url = _render('{{ p.image|smartcrop_url:spec }}', p=photo, spec=f"16:9@{value}")
    assert url in ("", links(photo.image, "16:9", [480])[0].url)  # nothing, or the largest allowed


def test_signed_but_oversized_sizes_are_refused_by_the_view(photo, client, settings, work):
    settings.SMARTCROP_MAX_SIZE = 10**9  # the view still stops at the core's 10000-px bound
    for size in ("w10001", "h10001", "w99999", "w0", "w-1", "w100000"):
        url = crop_url(CropRequest("smartcrop_testapp.photo", str(photo.pk), "image", "16x9", size))
        CountingStorage.reset()
        assert client.get(url).status_code == 400, size
        assert CountingStorage.calls == [] and work["image opens"] == 0
    url = crop_url(CropRequest("smartcrop_testapp.photo", str(photo.pk), "image", "100000x1", "w100"))
    assert client.get(url).status_code == 400  # a ratio outside 1:100..100:1, even if signed


# -- the admin editor's posted boxes -------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    '{"1:1": [0, 0, Infinity, 10]}', '{"1:1": [0, 0, 1e400, 10]}', '{"1:1": [0, 0, ' + "9" * 500 + ', 10]}',
    '{"1:1": [NaN, 0, 10, 10]}', '{"1:1": "abcd"}', "[1, 2]", '{"1:1": [0, 0, 0, 0]}',
])
def test_hostile_editor_boxes_are_form_errors(admin_client, photo, raw):
    from django_smartcrop.widgets import OVERRIDES_SUFFIX

    before = Photo.objects.get(pk=photo.pk).saliency
    response = admin_client.post(f"/admin/smartcrop_testapp/photo/{photo.pk}/change/",
                                 {"title": "x", "image" + OVERRIDES_SUFFIX: raw})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert Photo.objects.get(pk=photo.pk).saliency == before


def test_huge_editor_boxes_are_fitted_inside_the_image(admin_client, photo):
    from django_smartcrop.widgets import OVERRIDES_SUFFIX

    raw = '{"1:1": [-1e300, 1e300, 1e300, 1e300]}'
    response = admin_client.post(f"/admin/smartcrop_testapp/photo/{photo.pk}/change/",
                                 {"title": "x", "image" + OVERRIDES_SUFFIX: raw})
    assert response.status_code == 302
    box = Photo.objects.get(pk=photo.pk).image.smartcrop.box("1:1")[0]
    assert box.as_list() == [0, 0, 320, 320]
