"""The whole path a site takes: upload through a real form, render the tags, fetch the crops, render again
with zero storage calls."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from .images import jpeg
from testsupport.django_site.storage import CountingStorage
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "upload.jpg"):
    return client.post(reverse("upload"), {"title": "Disc", "image": SimpleUploadedFile(name, data, "image/jpeg")})


def _img_src(html: str, element_id: str) -> str:
    block = re.search(rf'<div id="{element_id}">(.*?)</div>', html, re.S).group(1)
    return re.search(r'(?:src|href)="([^"]+)"', block).group(1)


def test_upload_render_generate_rerender(client, media, shipped_model):
    response = _upload(client, jpeg())
    assert response.status_code == 302
    item = Photo.objects.get()
    assert item.image.smartcrop.status == "ok"

    page = client.get(response["Location"]).content.decode()
    src = _img_src(page, "wide")
    assert src.startswith("/smartcrop/c/smartcrop_testapp.photo/")  # not generated yet: the signed view
    assert 'width="320" height="180"' in page and 'class="wide"' in page and 'alt="Disc"' in page

    crop = client.get(src)
    assert crop.status_code == 302
    name = crop["Location"].removeprefix("/media/")
    with Image.open(media / name) as image:
        assert image.size == (320, 180)  # exactly 16:9
        assert image.format == "JPEG"
    for element in ("square", "url"):
        client.get(_img_src(page, element))
    srcset = re.search(r'srcset="([^"]+)"', page).group(1)
    for part in srcset.split(", "):
        client.get(part.split()[0])

    CountingStorage.reset()
    again = client.get(response["Location"]).content.decode()
    assert CountingStorage.io_calls() == []  # known crops: no exists(), no open(), nothing
    assert _img_src(again, "wide") == crop["Location"]
    assert _img_src(again, "url").startswith("/media/smartcrop/")
    for part in re.search(r'srcset="([^"]+)"', again).group(1).split(", "):
        assert part.startswith("/media/smartcrop/")


@pytest.mark.parametrize("ratio, width", [("16:9", 320), ("1:1", 200), ("4:5", 160), ("9:16", 90), ("3:2", 150)])
def test_generated_crop_has_the_exact_ratio(photo, client, media, ratio, width):
    from django_smartcrop.links import links

    (link,) = links(photo.image, ratio, [width])
    location = client.get(link.url)["Location"]
    with Image.open(media / location.removeprefix("/media/")) as image:
        w, h = image.size
    a, b = map(int, ratio.split(":"))
    assert w == width and abs(w / h - a / b) <= 0.5 / h  # within rounding of one pixel
    assert (link.width, link.height) == (w, h)


@pytest.mark.parametrize("ratio, height, width", [("9:16", 200, 112), ("16:9", 90, 160), ("4:5", 99, 79)])
def test_height_requests_keep_the_height(photo, client, media, ratio, height, width):
    from django_smartcrop.links import links

    (link,) = links(photo.image, ratio, [None], height)
    location = client.get(link.url)["Location"]
    with Image.open(media / location.removeprefix("/media/")) as image:
        assert image.size == (width, height) == (link.width, link.height)


def test_upload_survives_model_failure(client, settings, media, tmp_path):
    settings.SMARTCROP_MODEL = str(tmp_path / "broken.onnx")
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    response = _upload(client, jpeg())
    assert response.status_code == 302  # the upload is not blocked
    item = Photo.objects.get()
    assert (media / item.image.name).is_file()
    state = item.image.smartcrop
    assert state.status == "error" and "ModelError" in state.error
    page = client.get(response["Location"]).content.decode()
    location = client.get(_img_src(page, "wide"))["Location"]
    with Image.open(media / location.removeprefix("/media/")) as image:
        assert image.size == (320, 180)
    box, source = state.box("16:9")
    assert source == "centre" and box.top == (320 - 270) // 2


def test_form_rejects_a_non_image(client):
    response = _upload(client, b"plain text", "notes.jpg")
    assert response.status_code == 400 and Photo.objects.count() == 0


def test_png_with_alpha_stays_png(db, client, media, shipped_model):
    image = Image.new("RGBA", (200, 100), (255, 0, 0, 128))
    buffer = BytesIO()
    image.save(buffer, "PNG")
    response = client.post(reverse("upload"), {"image": SimpleUploadedFile("a.png", buffer.getvalue(), "image/png")})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    location = client.get(_img_src(page, "square"))["Location"]
    assert location.endswith(".png")
    with Image.open(media / location.removeprefix("/media/")) as crop:
        assert crop.size == (100, 100) and crop.mode == "RGBA"
