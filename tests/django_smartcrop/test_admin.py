"""The admin editor: heat map and boxes shown, a manual box wins until cleared."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from django_smartcrop.links import links
from django_smartcrop.widgets import OVERRIDES_SUFFIX

from .images import jpeg, scene

pytestmark = pytest.mark.django_db
FIELD = "image" + OVERRIDES_SUFFIX


@pytest.fixture
def editor(admin_client, photo):
    url = f"/admin/smartcrop_testapp/photo/{photo.pk}/change/"
    return admin_client, url


def _post(client, url, photo, overrides, **extra):
    data = {"title": photo.title, FIELD: json.dumps(overrides), **extra}
    return client.post(url, data)


def test_change_page_shows_heatmap_and_boxes(editor, photo):
    client, url = editor
    html = client.get(url).content.decode()
    assert 'class="smartcrop-editor"' in html and "django_smartcrop/editor.js" in html
    assert 'src="data:image/png;base64,' in html
    config = json.loads(re.search(r'<script id="image-smartcrop-data" type="application/json">(.*?)</script>', html).group(1))
    assert [b["ratio"] for b in config["boxes"]] == ["16:9", "1:1", "4:5", "9:16"]
    assert all(b["source"] == "auto" and b["box"] == b["auto"] for b in config["boxes"])
    assert (config["width"], config["height"]) == (480, 320)


def test_manual_box_wins_until_cleared(editor, photo, client, media):
    admin, url = editor
    automatic = photo.image.smartcrop.box("1:1")[0]
    assert automatic.left > 100  # the model put the square on the disc (right side)
    response = _post(admin, url, photo, {"1:1": [0, 0, 320, 320]})
    assert response.status_code == 302, response.content.decode()[:2000]
    photo.refresh_from_db()
    assert photo.image.smartcrop.overrides == {"1:1": [0, 0, 320, 320]}
    (link,) = links(photo.image, "1:1", [100])
    assert link.spec.box.as_list() == [0, 0, 320, 320] and link.spec.box_source == "manual"
    location = client.get(link.url)["Location"]
    with Image.open(media / location.removeprefix("/media/")) as crop:
        # the manual square is the left part of the image: no red disc in it
        pixels = np.asarray(crop.convert("RGB")).astype(int)
        red = int(((pixels[..., 0] > 180) & (pixels[..., 1] < 80)).sum())
    assert crop.size == (100, 100) and red == 0

    html = admin.get(url).content.decode()
    config = json.loads(re.search(r'<script id="image-smartcrop-data" type="application/json">(.*?)</script>', html).group(1))
    square = next(b for b in config["boxes"] if b["ratio"] == "1:1")
    assert square["source"] == "manual" and square["box"] == [0, 0, 320, 320] and square["auto"] == automatic.as_list()

    assert _post(admin, url, photo, {}).status_code == 302  # "Automatic": the override is cleared
    photo.refresh_from_db()
    assert photo.image.smartcrop.overrides == {}
    assert links(photo.image, "1:1", [100])[0].spec.box == automatic


def test_bad_editor_data_is_a_form_error(editor, photo):
    client, url = editor
    response = client.post(url, {"title": "x", FIELD: "{not json"})
    assert response.status_code == 200 and "unreadable" in response.content.decode()
    response = client.post(url, {"title": "x", FIELD: json.dumps({"banana": [0, 0, 1, 1]})})
    assert response.status_code == 200 and "Unknown aspect ratio" in response.content.decode()


def test_new_upload_in_admin_replaces_analysis(editor, photo):
    client, url = editor
    upload = SimpleUploadedFile("new.jpg", jpeg(scene(spot=(0.2, 0.5))), "image/jpeg")
    response = _post(client, url, photo, {"1:1": [0, 0, 320, 320]}, image=upload)
    assert response.status_code == 302
    photo.refresh_from_db()
    state = photo.image.smartcrop
    assert state.name == photo.image.name and "new" in state.name and state.overrides == {}


def test_add_page_has_no_editor(admin_client):
    html = admin_client.get("/admin/smartcrop_testapp/photo/add/").content.decode()
    assert 'type="file"' in html and "smartcrop-editor" not in html


def test_change_page_says_which_ratios_are_manual(editor, photo):
    client, url = editor
    assert "All crops are automatic." in client.get(url).content.decode()
    assert _post(client, url, photo, {"4:5": [0, 0, 200, 250], "1:1": [0, 0, 320, 320]}).status_code == 302
    html = client.get(url).content.decode()
    assert "Manual crops (set by an editor): 16:9" not in html
    assert "Manual crops (set by an editor): 1:1, 4:5." in html


def test_heatmap_is_transparent_where_nothing_is_salient(photo):
    """The overlay colours the salient region and leaves the rest of the photo visible."""
    import base64
    import io

    from django_smartcrop.heatmap import heatmap_data_uri

    data = heatmap_data_uri(photo.image.smartcrop).split(",", 1)[1]
    with Image.open(io.BytesIO(base64.b64decode(data))) as picture:
        alpha = np.asarray(picture.convert("RGBA"))[..., 3]
    assert picture.mode == "RGBA" and alpha.max() >= 200 and np.percentile(alpha, 10) < 60


def test_changelist_shows_thumbnails_and_manual_marker(admin_client, photo, client, media):
    from example_site.gallery.models import Photo as GalleryPhoto

    item = GalleryPhoto(title="disc")
    item.image.save("disc.jpg", SimpleUploadedFile("disc.jpg", jpeg()), save=True)
    html = admin_client.get("/admin/gallery/photo/").content.decode()
    (img,) = re.findall(r'<img [^>]*class="smartcrop-thumbnail"[^>]*>', html)
    src = re.search(r'src="([^"]+)"', img).group(1)
    assert 'width="80" height="80"' in img and " 2x" in img
    with Image.open(media / client.get(src)["Location"].removeprefix("/media/")) as thumbnail:
        assert thumbnail.size == (80, 80)
    assert "smartcrop-manual-list" not in html
    state = item.image.smartcrop
    item.saliency = state.with_overrides({"1:1": [0, 0, 320, 320]}).to_value()
    item.save()
    html = admin_client.get("/admin/gallery/photo/").content.decode()
    assert '<span class="smartcrop-manual-list">1:1</span>' in html
