"""The example site's showcase through the test client: upload, crops per ratio beside centre crops,
manual/automatic marked, responsive markup, the overlay made once and respecting manual boxes."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from example_site.gallery import overlays
from example_site.gallery.models import Photo

from testsupport.images import photo_jpeg

pytestmark = pytest.mark.django_db


def _upload(client, name="disc.jpg", **headers):
    return client.post("/", {"title": "Disc", "image": SimpleUploadedFile(name, photo_jpeg(), "image/jpeg")}, **headers)


def _follow(client, url):
    """A crop or overlay URL to the served file's path in MEDIA_ROOT (following the view's redirect)."""
    location = client.get(url)["Location"] if not url.startswith("/media/") else url
    assert client.get(location).status_code == 200  # the example site serves its media folder
    return location.removeprefix("/media/")


def test_upload_and_showcase(client, media, shipped_model):
    assert _upload(client).status_code == 302
    page = client.get("/").content.decode()
    crops = re.findall(r'<img src="([^"]+)" srcset="([^"]+)" width="(\d+)" height="(\d+)" class="crop" '
                       r'data-ratio="([^"]+)"', page)
    assert [c[4] for c in crops] == ["16:9", "1:1", "4:5", "9:16"]
    for url, srcset, width, height, ratio in crops:
        assert height == "150" and srcset.endswith(" 2x")
        with Image.open(media / _follow(client, url)) as image:
            assert image.size == (int(width), int(height))
    # each crop sits in a <picture> with AVIF and WebP sources, next to a centre crop of the same ratio
    assert page.count('<source type="image/avif"') == 4 and page.count('<source type="image/webp"') == 4
    assert page.count('class="centre-crop"') == 4 and 'style="aspect-ratio: 16 / 9"' in page
    assert page.count('<span class="badge auto">automatic</span>') == 4
    assert f'href="/admin/gallery/photo/{Photo.objects.get().pk}/change/"' in page
    assert "&lt;picture&gt;&lt;source type=&quot;image/avif&quot;" in page  # the markup, shown to copy
    assert re.search(r"smartcrop \d+%</strong> vs centre crop\s+\d+%", page)
    assert f"Saliency by {Photo.objects.get().image.smartcrop.model}." in page


def test_smartcrop_keeps_more_attention_than_the_centre_crop(client, shipped_model):
    """The disc sits right of centre: the 1:1 and portrait crops that follow it keep more than centred ones."""
    _upload(client)
    page = client.get("/").content.decode()
    kept = {ratio: re.findall(r'keeps <span class="kept">(\d+)%', block)
            for ratio, block in re.findall(r'<div class="ratio" data-ratio="([^"]+)"(.*?)</figure>\s*</div>', page, re.S)}
    for ratio in ("1:1", "9:16"):
        ours, centre = map(int, kept[ratio])
        assert ours > centre, (ratio, ours, centre)


def test_overlay_is_made_once_then_linked_directly(client, media, shipped_model, monkeypatch):
    _upload(client)
    page = client.get("/").content.decode()
    url = re.search(r'<img class="heatmap" src="([^"]+)"', page).group(1)
    assert url.startswith("/overlay/")
    first = _follow(client, url)
    decodes = []
    monkeypatch.setattr(overlays, "render", lambda *args: decodes.append(args) or b"")
    page = client.get("/").content.decode()
    assert re.search(r'<img class="heatmap" src="([^"]+)"', page).group(1) == "/media/" + first
    assert client.get(url)["Location"] == "/media/" + first and decodes == []  # no decode per request


def test_overlay_and_page_follow_a_manual_box(client, media, shipped_model):
    _upload(client)
    photo = Photo.objects.get()
    before = _follow(client, f"/overlay/{photo.pk}/")
    photo.saliency = photo.image.smartcrop.with_overrides({"1:1": [0, 0, 400, 400]}).to_value()
    photo.save()
    page = client.get("/").content.decode()
    assert '<div class="ratio" data-ratio="1:1" data-source="manual">' in page
    assert "Manual crops: <span class=\"manual-list\">1:1</span>" in page
    after = _follow(client, re.search(r'<img class="heatmap" src="([^"]+)"', page).group(1))
    assert after != before
    with Image.open(media / before) as old, Image.open(media / after) as new:
        # the automatic square was on the disc (right); the manual one is at the far left: the left
        # edge of the picture now carries the 1:1 box's outline (magenta in the debug colours)
        def magenta_on_left(picture):
            pixels = picture.convert("RGB").load()
            return sum(1 for y in range(picture.height) for x in range(0, 6)
                       if pixels[x, y][0] > 180 and pixels[x, y][1] < 90 and pixels[x, y][2] > 180)
        assert magenta_on_left(new) > 50 > magenta_on_left(old)


def test_failed_saliency_still_shows_the_upload(client, settings, tmp_path, media):
    settings.SMARTCROP_MODEL = str(tmp_path / "missing.onnx")
    assert _upload(client).status_code == 302
    page = client.get("/").content.decode()
    assert "Saliency failed" in page and page.count('class="crop"') == 4
    assert page.count('<span class="badge centre">') == 4
    assert Photo.objects.get().image.smartcrop.error.startswith("ModelError")


def test_bad_upload_is_a_form_error(client):
    response = client.post("/", {"image": SimpleUploadedFile("x.jpg", b"text", "image/jpeg")})
    assert response.status_code == 400 and Photo.objects.count() == 0


def test_bad_upload_by_script_gets_one_clear_line(client):
    response = client.post("/", {"image": SimpleUploadedFile("notes.jpg", b"text", "image/jpeg")},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and Photo.objects.count() == 0
    (line,) = response.json()["errors"]
    assert line.startswith("Image: Upload a valid image.") and "\n" not in line
    assert _upload(client, HTTP_ACCEPT="application/json").json() == {"ok": True, "pk": Photo.objects.get().pk}


def test_audit_of_the_gallerys_photos(client, media, shipped_model):
    from example_site.gallery import audit

    _upload(client)
    page = client.get("/").content.decode()
    assert "Not run yet for this gallery." in page and 'action="/audit/"' in page
    assert client.get("/audit/").status_code == 405  # runs only on a POST
    assert client.post("/audit/")["Location"] == "/#audit"
    assert (media / "audit" / "report.md").is_file() and (media / "audit" / "report.png").is_file()
    page = client.get("/").content.decode()
    assert re.search(r"Where the saliency peaks on this gallery's 1 photo\s", page)
    assert 'href="/media/audit/report.md"' in page and client.get("/media/audit/report.md").status_code == 200
    assert re.search(r"Top salient point in the upper third of the picture: \d+% of the photos", page)
    if audit.faces_available():
        assert "faces from OpenCV" in page


def test_audit_command(client, media, shipped_model):
    from io import StringIO

    from django.core.management import call_command

    _upload(client)
    output = StringIO()
    call_command("gallery_audit", stdout=output)
    assert output.getvalue().strip() == "audit of 1 photo written: /media/audit/report.md"
    assert (media / "audit" / "report.json").is_file()
