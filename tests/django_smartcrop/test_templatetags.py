"""The template API: the tag's three forms, the filters, and Thumbor mode."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from django.template import Context, Template

from .storage import CountingStorage

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load smartcrop %}" + source).render(Context(context))


def test_img_with_passthrough_attributes(photo):
    html = render('{% smartcrop p.image "16:9" width=320 alt=title class="hero" loading="lazy" data_id=7 %}', p=photo,
                  title="A <disc>")
    assert html.startswith("<img ")
    assert 'width="320" height="180"' in html
    assert 'alt="A &lt;disc&gt;"' in html and 'class="hero"' in html and 'loading="lazy"' in html
    assert 'data-id="7"' in html


def test_as_variable(photo):
    html = render('{% smartcrop p.image "4:5" width=160 as c %}{{ c.url }}|{{ c.width }}x{{ c.height }}|{{ c.box.width }}', p=photo)
    url, size, box_width = html.split("|")
    assert url.startswith("/smartcrop/c/") and size == "160x200" and int(box_width) == 256


def test_srcset(photo):
    html = render('{% smartcrop p.image "1:1" widths="100,200,200,5000" sizes="(max-width: 600px) 100vw, 300px" %}', p=photo)
    srcset = re.search(r'srcset="([^"]+)"', html).group(1).split(", ")
    assert [item.rsplit(" ", 1)[1] for item in srcset] == ["100w", "200w", "320w"]  # deduplicated, no upscaling
    assert 'sizes="(max-width: 600px) 100vw, 300px"' in html


def test_height_only(photo):
    html = render('{% smartcrop p.image "16:9" height=90 as c %}{{ c.width }}x{{ c.height }}', p=photo)
    assert html == "160x90"


def test_no_file_renders_nothing(db):
    from .testapp.models import Photo

    assert render('{% smartcrop p.image "16:9" width=100 %}', p=Photo()) == ""
    assert render('{{ p.image|smartcrop_url:"16:9" }}', p=Photo()) == ""


def test_url_filter_and_object_position(photo):
    url = render('{{ p.image|smartcrop_url:"16:9@100" }}', p=photo)
    assert "/16x9/w100/" in url
    full = render('{{ p.image|smartcrop_url:"1:1" }}', p=photo)
    assert "/1x1/w320/" in full  # the whole box
    box = photo.image.smartcrop.box("1:1")[0]
    x = render('{{ p.image|smartcrop_position:"1:1" }}', p=photo).split("%")[0]
    assert float(x) == pytest.approx(100 * box.left / (480 - 320), abs=0.1)
    focal = render("{{ p.image|smartcrop_position }}", p=photo)
    assert focal.endswith("%") and float(focal.split("%")[0]) > 50


def test_heatmap_data_uri(photo):
    assert render("{{ p.image|smartcrop_heatmap }}", p=photo).startswith("data:image/png;base64,")


def test_rendering_known_crops_makes_no_storage_call(photo, client):
    from django_smartcrop.links import links

    template = '{% smartcrop p.image "16:9" widths="100,200" %}{% smartcrop p.image "1:1" width=120 %}'
    for ratio, widths in (("16:9", [100, 200]), ("1:1", [120])):
        for link in links(photo.image, ratio, widths):
            client.get(link.url)
    CountingStorage.reset()
    html = render(template, p=photo)
    assert html.count("/media/smartcrop/") == 4  # src + 2 srcset entries + 1
    assert CountingStorage.io_calls() == []


def test_thumbor_mode_signs_the_stored_box(photo, settings):
    settings.SMARTCROP_URL_MODE = "thumbor"
    settings.SMARTCROP_THUMBOR_SERVER = "http://thumbor.test:8888/"
    settings.SMARTCROP_THUMBOR_KEY = "sekret"
    settings.SMARTCROP_THUMBOR_SOURCE_PREFIX = "media.test/files"
    CountingStorage.reset()
    url = render('{{ p.image|smartcrop_url:"1:1@100" }}', p=photo)
    box = photo.image.smartcrop.box("1:1")[0]
    path = f"{box.left}x{box.top}:{box.right}x{box.bottom}/100x100/media.test/files/{photo.image.name}"
    signature = base64.urlsafe_b64encode(hmac.new(b"sekret", path.encode(), hashlib.sha1).digest()).decode()
    assert url == f"http://thumbor.test:8888/{signature}/{path}"
    assert CountingStorage.calls == []
    settings.SMARTCROP_THUMBOR_KEY = None
    assert "/unsafe/" in render('{{ p.image|smartcrop_url:"1:1@100" }}', p=photo)
