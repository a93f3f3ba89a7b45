"""Thumbor mode against a real Thumbor: the signed URLs Django emits serve the crop Django would cut.

One Thumbor 7.8 server (testsupport/thumbor_server.py, RESPECT_ORIENTATION on, file loader) reads the
media folder the tests upload to; every URL is fetched over HTTP and its picture compared with the
crop Django itself renders for the same spec.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import io
import urllib.request
from typing import Iterator

from django.core.files.base import ContentFile
from PIL import Image

from django_smartcrop import renditions
from django_smartcrop.links import links
from testsupport.thumbor_server import (SECURITY_KEY, ThumborServer, assert_same_picture, model_file,
                                        running_thumbor, server_conf)

from .images import jpeg, rotated_jpeg, scene
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def thumbor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThumborServer]:
    root = tmp_path_factory.mktemp("thumbor-mode")
    (root / "files").mkdir()
    with running_thumbor(server_conf(root, root / "files"), root, model_file()) as server:
        yield server


@pytest.fixture
def thumbor_mode(thumbor: ThumborServer, settings, shipped_model) -> ThumborServer:
    """Uploads land where Thumbor's loader reads them; templates emit signed Thumbor URLs."""
    settings.MEDIA_ROOT = str(thumbor.root / "files" / "media")
    settings.SMARTCROP_URL_MODE = "thumbor"
    settings.SMARTCROP_THUMBOR_SERVER = thumbor.base
    settings.SMARTCROP_THUMBOR_KEY = SECURITY_KEY
    settings.SMARTCROP_THUMBOR_SOURCE_PREFIX = "media"
    return thumbor


def served(url: str) -> Image.Image:
    with urllib.request.urlopen(url, timeout=60) as reply:
        assert reply.status == 200
        image = Image.open(io.BytesIO(reply.read()))
        image.load()
        return image


def upload(name: str, data: bytes) -> Photo:
    item = Photo(title=name)
    item.image.save(name, ContentFile(data), save=True)
    item.refresh_from_db()
    assert item.image.smartcrop.status == "ok"
    return item


@pytest.mark.parametrize("ratio", ["16:9", "1:1", "9:16"])
def test_thumbor_serves_the_stored_box_of_an_exif_rotated_upload(thumbor_mode: ThumborServer, ratio: str) -> None:
    item = upload(f"rotated-{ratio.replace(':', 'x')}.jpg", rotated_jpeg(scene(480, 320, spot=(0.8, 0.3))))
    (link,) = links(item.image, ratio, [200])
    assert link.url.startswith(thumbor_mode.base + "/") and "/unsafe/" not in link.url  # signed
    assert link.spec.box_source == "auto"
    assert_same_picture(served(link.url), renditions.render(link.spec, item.image.storage))


def test_a_manual_box_changes_the_url_and_thumbor_cuts_it(thumbor_mode: ThumborServer) -> None:
    item = upload("manual.jpg", jpeg(scene(480, 320, spot=(0.8, 0.5))))
    (before,) = links(item.image, "1:1", [160])
    item.saliency = item.image.smartcrop.with_overrides({"1:1": [0, 0, 200, 200]}).to_value()
    item.save()
    (after,) = links(Photo.objects.get(pk=item.pk).image, "1:1", [160])
    assert after.spec.box_source == "manual" and after.url != before.url
    picture = served(after.url)
    assert_same_picture(picture, renditions.render(after.spec, item.image.storage))
    with pytest.raises(AssertionError):  # the comparison tells the two boxes apart
        assert_same_picture(picture, renditions.render(before.spec, item.image.storage))
