"""The example site's pages through the test client: upload, gallery of four ratios, heat map overlay."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from example_site.gallery.models import Photo

from .images import photo_jpeg

pytestmark = pytest.mark.django_db


def test_upload_and_gallery(client, media, shipped_model):
    response = client.post("/", {"title": "Disc", "image": SimpleUploadedFile("disc.jpg", photo_jpeg(), "image/jpeg")})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    crops = re.findall(r'<img src="([^"]+)" width="(\d+)" height="(\d+)" class="crop" data-ratio="([^"]+)"', page)
    assert [c[3] for c in crops] == ["16:9", "1:1", "4:5", "9:16"]
    for url, width, height, ratio in crops:
        assert height == "200"
        location = client.get(url)["Location"]
        served = client.get(location)  # the example site serves its media folder
        assert served.status_code == 200
        with Image.open(media / location.removeprefix("/media/")) as image:
            assert image.size == (int(width), int(height))
    overlay = client.get(re.search(r'<img class="heatmap" src="([^"]+)"', page).group(1))
    assert overlay.status_code == 200 and overlay["Content-Type"] == "image/jpeg"
    assert f"Saliency by {Photo.objects.get().image.smartcrop.model}." in page


def test_failed_saliency_still_shows_the_upload(client, settings, tmp_path, media):
    settings.SMARTCROP_MODEL = str(tmp_path / "missing.onnx")
    response = client.post("/", {"image": SimpleUploadedFile("disc.jpg", photo_jpeg(), "image/jpeg")})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Saliency failed" in page and page.count('class="crop"') == 4
    assert Photo.objects.get().image.smartcrop.error.startswith("ModelError")


def test_bad_upload_is_a_form_error(client):
    response = client.post("/", {"image": SimpleUploadedFile("x.jpg", b"text", "image/jpeg")})
    assert response.status_code == 400 and Photo.objects.count() == 0
