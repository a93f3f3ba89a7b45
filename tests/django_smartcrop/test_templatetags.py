"""The template API: the tag's three forms, the filters, and Thumbor mode."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from django.template import Context, Template

from testsupport.django_site.storage import CountingStorage

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
    from testsupport.django_site.testapp.models import Photo

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
    for ratio, widths in (("16:9", [100, 200]), ("1:1", [120, 240])):
        for link in links(photo.image, ratio, widths):
            client.get(link.url)
    CountingStorage.reset()
    html = render(template, p=photo)
    assert html.count("/media/smartcrop/") == 6  # 16:9: src + 2 srcset entries; 1:1: src + 1x + 2x
    assert "/smartcrop/c/" not in html
    assert CountingStorage.io_calls() == []


def _attributes(html: str) -> dict[str, str]:
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', html))


def _size_of(client, media, url: str) -> tuple[str, tuple[int, int]]:
    """Follow a crop URL to its file: (format, size)."""
    from PIL import Image

    location = client.get(url)["Location"] if url.startswith("/smartcrop/c/") else url
    with Image.open(media / location.removeprefix("/media/")) as image:
        return image.format, image.size


def test_one_width_gives_src_of_that_width_and_a_2x_srcset(photo, client, media):
    html = render('{% smartcrop p.image "16:9" width=100 %}', p=photo)
    attributes = _attributes(html)
    assert (attributes["width"], attributes["height"]) == ("100", "56")
    one, two = attributes["srcset"].split(", ")
    assert one == attributes["src"] + " 1x" and two.endswith(" 2x")
    assert _size_of(client, media, attributes["src"])[1] == (100, 56)
    assert _size_of(client, media, two.rsplit(" ", 1)[0])[1] == (200, 112)
    assert "sizes=" not in html  # density descriptors need none


def test_2x_is_capped_at_the_source_region(photo):
    """The 16:9 box of the 480x320 photo is 480 px wide: 300 px at 2x would upscale, so 1.6x is offered."""
    srcset = _attributes(render('{% smartcrop p.image "16:9" width=300 %}', p=photo))["srcset"]
    assert [item.rsplit(" ", 1)[1] for item in srcset.split(", ")] == ["1x", "1.6x"]
    attributes = _attributes(render('{% smartcrop p.image "16:9" width=480 %}', p=photo))
    assert "srcset" not in attributes and attributes["width"] == "480"  # nothing larger to offer


def test_widths_with_a_width_use_that_width_for_src_and_size(photo, client, media):
    html = render('{% smartcrop p.image "16:9" width=200 widths="100,200,300" %}', p=photo)
    attributes = _attributes(html)
    assert (attributes["width"], attributes["height"]) == ("200", "112")
    assert _size_of(client, media, attributes["src"])[1] == (200, 112)
    assert [item.rsplit(" ", 1)[1] for item in attributes["srcset"].split(", ")] == ["100w", "200w", "300w"]
    assert attributes["sizes"] == "(max-width: 200px) 100vw, 200px"
    first = _attributes(render('{% smartcrop p.image "16:9" widths="300,100" %}', p=photo))
    assert first["width"] == "300" and first["sizes"] == "100vw"  # no width: the first listed


def test_picture_has_avif_and_webp_sources_and_the_img(photo, client, media):
    html = render('{% smartcrop_picture p.image "16:9" width=100 alt="disc" class="hero" %}', p=photo)
    assert html.startswith("<picture><source ") and html.endswith("></picture>")
    sources = re.findall(r"<source ([^>]*)>", html)
    assert [_attributes(s)["type"] for s in sources] == ["image/avif", "image/webp"]
    img = _attributes(re.search(r"<img [^>]*>", html).group(0))
    assert (img["width"], img["height"], img["alt"], img["class"]) == ("100", "56", "disc", "hero")
    assert _size_of(client, media, img["src"]) == ("JPEG", (100, 56))
    for source, expected in zip(sources, ("AVIF", "WEBP")):
        one, two = _attributes(source)["srcset"].split(", ")
        assert _size_of(client, media, one.rsplit(" ", 1)[0]) == (expected, (100, 56))
        assert _size_of(client, media, two.rsplit(" ", 1)[0]) == (expected, (200, 112))
    listed = render('{% smartcrop_picture p.image "1:1" widths="100,200" formats="webp" %}', p=photo)
    (source,) = re.findall(r"<source ([^>]*)>", listed)
    assert _attributes(source)["sizes"] == "100vw" and _attributes(source)["srcset"].count("w, ") == 1


def test_a_picture_asks_the_registry_once(photo, client, django_assert_num_queries):
    """1x and 2x in AVIF, WebP and JPEG are six crops: one query for all, and files once they exist."""
    template = '{% smartcrop_picture p.image "16:9" width=100 %}'
    with django_assert_num_queries(1):
        html = render(template, p=photo)
    assert html.count("/smartcrop/c/") == 7  # the <img> src is also its srcset's 1x
    src = _attributes(re.search(r"<img [^>]*>", html).group(0))["src"]
    client.get(src)
    with django_assert_num_queries(1):  # the five crops not made yet; the made one is cached
        html = render(template, p=photo)
    assert html.count("/smartcrop/c/") == 5 and html.count("/media/smartcrop/") == 2


def test_picture_with_an_unknown_format_renders_nothing(photo):
    assert render('{% smartcrop_picture p.image "1:1" width=100 formats="bmp" %}', p=photo) == ""


def test_as_variable_tells_manual_from_automatic(photo):
    assert render('{% smartcrop p.image "1:1" width=50 as c %}{{ c.box_source }}', p=photo) == "auto"


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


def test_thumbor_mode_picture_sources_use_the_format_filter(photo, settings):
    settings.SMARTCROP_URL_MODE = "thumbor"
    settings.SMARTCROP_THUMBOR_SERVER = "http://thumbor.test:8888/"
    html = render('{% smartcrop_picture p.image "1:1" width=100 formats="webp" %}', p=photo)
    (source,) = re.findall(r"<source ([^>]*)>", html)
    assert "/100x100/filters:format(webp)/" in source and "filters:format" not in html.split("<img", 1)[1]


def test_cleanup_keeps_the_picture_sources_of_a_row(photo):
    from django_smartcrop.cleanup import is_current
    from django_smartcrop.links import links

    for image_format in ("AVIF", "WEBP", None):
        (link,) = links(photo.image, "1:1", [100], None, image_format)
        assert is_current(link.spec.name, photo.image) is True


def test_one_height_gives_a_2x_by_height(photo):
    """9:16 at 100 px high is 56 px wide (rounded); its 2x is 200 px high, described as 2x, not 2.02x."""
    attributes = _attributes(render('{% smartcrop p.image "9:16" height=100 %}', p=photo))
    assert (attributes["width"], attributes["height"]) == ("56", "100")
    assert attributes["srcset"].endswith(" 2x") and "/h200/" in attributes["srcset"]


def test_a_page_parses_each_analysis_once(photo, monkeypatch):
    """Tags and filters on ratios not stored all read the one Analysis of the row (as a gallery page does)."""
    from smartcrop_core import Analysis

    from django_smartcrop import state

    monkeypatch.setattr(state, "_parsed", {})  # an earlier test may have parsed the same photo's analysis
    parsed = []
    from_dict = Analysis.from_dict.__func__
    monkeypatch.setattr(Analysis, "from_dict", classmethod(lambda cls, data: parsed.append(1) or from_dict(cls, data)))
    template = ('{% smartcrop p.image "5:4" width=100 %}{% smartcrop_picture p.image "7:3" width=90 %}'
                '{{ p.image|smartcrop_position:"5:4" }}{{ p.image|smartcrop_url:"7:3@60" }}{{ p.image|smartcrop_heatmap }}')
    for _ in range(3):
        assert "<picture>" in render(template, p=photo)
    assert len(parsed) == 1
