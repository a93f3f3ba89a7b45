"""A real browser (Debian's chromium, driven by Playwright) on the example site: upload with progress, a
clear error for a bad file, the showcase's crops and picture sources, and the admin crop editor.

A failing test leaves a full-page screenshot and prints its path (see conftest.browser_page).
Set EXAMPLE_SCREENSHOT=path to keep the showcase's screenshot (docs/example-site.png is made so).
"""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from testsupport.images import photo_jpeg

REPO = Path(__file__).resolve().parents[2]
RATIOS = {"16:9": 16 / 9, "1:1": 1.0, "4:5": 0.8, "9:16": 9 / 16}
OVERRIDES = "input[name=image__smartcrop_overrides]"


def _upload_in_browser(page, picture: Path, title: str) -> None:
    page.fill("input[name=title]", title)
    page.set_input_files("input[name=image]", str(picture))


@pytest.mark.django_db(transaction=True)
def test_upload_with_progress_then_the_showcase(live_server, browser_page, tmp_path, shipped_model, monkeypatch):
    from example_site.gallery.forms import UploadForm
    from example_site.gallery.models import Photo

    page = browser_page
    page.goto(live_server.url + "/")
    assert "No images yet" in page.content()

    # a bad file: one clear line, nothing saved, no page change
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a picture")
    _upload_in_browser(page, bad, "Notes")
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#upload-error:not([hidden])")
    assert page.inner_text("#upload-error").startswith("Image: Upload a valid image.")
    assert Photo.objects.count() == 0 and page.is_hidden("#upload-progress")

    # a photo: the server holds its answer until the test has seen the progress bar at 100%
    gate = threading.Event()
    original_save = UploadForm.save
    monkeypatch.setattr(UploadForm, "save", lambda form, *a, **k: gate.wait(60) and original_save(form, *a, **k))
    _upload_in_browser(page, REPO / "samples" / "rocket.jpg", "Falcon 9 launch (samples/rocket.jpg)")
    page.click("#upload button[type=submit]")
    page.wait_for_function("() => document.getElementById('upload-progress').value === 100", timeout=30_000)
    assert page.is_visible("#upload-progress") and page.is_hidden("#upload-error")
    assert page.inner_text("#upload-status") == "Uploading..."
    with page.expect_navigation(timeout=60_000):
        gate.set()

    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('img.crop, img.centre-crop, img.heatmap')];"
        " return imgs.length === 9 && imgs.every(i => i.complete && i.naturalWidth > 0); }", timeout=90_000)
    crops = page.eval_on_selector_all(
        "img.crop", "imgs => imgs.map(i => [i.dataset.ratio, i.naturalWidth, i.naturalHeight, i.currentSrc])")
    assert [c[0] for c in crops] == list(RATIOS)
    for ratio, width, height, src in crops:
        assert height == 150 and abs(width / height - RATIOS[ratio]) <= 1 / height, (ratio, width, height)
        assert ".avif" in src, src  # Chromium picks the <picture>'s AVIF source (view URL: .../h150.avif/...)
    centres = page.eval_on_selector_all(
        "img.centre-crop", "imgs => imgs.map(i => { const r = i.getBoundingClientRect(); return [r.width, r.height]; })")
    for (width, height), ratio in zip(centres, RATIOS.values()):
        assert abs(width / height - ratio) < 0.03
    badges = page.eval_on_selector_all(".ratio .badge", "spans => spans.map(s => s.textContent)")
    assert badges == ["automatic"] * 4
    assert page.get_attribute("a.edit", "href") == f"/admin/gallery/photo/{Photo.objects.get().pk}/change/"
    assert "vs centre crop" in page.inner_text("#summary")
    with page.expect_navigation(timeout=60_000):  # the crop audit of the gallery's photos, from the page
        page.click("#audit button[type=submit]")
    page.wait_for_function("() => document.querySelector('img.audit-picture').naturalWidth > 0", timeout=60_000)
    assert "Where the saliency peaks on this gallery's 1 photo" in page.inner_text("#audit")
    screenshot = os.environ.get("EXAMPLE_SCREENSHOT")
    page.screenshot(path=screenshot or str(tmp_path / "showcase.png"), full_page=True)

    page.reload()  # second visit: the crops and the overlay are known, so the page links the files directly
    page.wait_for_function("() => [...document.querySelectorAll('img.crop')].every(i => i.complete)")
    chosen = page.eval_on_selector_all("img.crop", "imgs => imgs.map(i => new URL(i.currentSrc).pathname)")
    assert all(src.startswith("/media/") and src.endswith(".avif") for src in chosen), chosen
    assert page.get_attribute("img.heatmap", "src").startswith("/media/overlays/")


def _login_to_change_page(page, live_server, pk) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/gallery/photo/{pk}/change/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.wait_for_function("() => document.querySelector('.smartcrop-image').naturalWidth > 0")


def _drag(page, start, end, steps=4) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def _centre(box) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@pytest.mark.django_db(transaction=True)
def test_admin_editor_moves_and_zooms_a_crop(live_server, browser_page, django_user_model, shipped_model):
    from django.core.files.base import ContentFile

    from example_site.gallery.models import Photo

    django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    item = Photo(title="Disc")
    item.image.save("disc.jpg", ContentFile(photo_jpeg(800, 600)), save=True)
    automatic = Photo.objects.get(pk=item.pk).image.smartcrop.box("1:1")[0]
    assert automatic.left > 100 and automatic.width == 600  # on the disc, right of centre

    page = browser_page
    _login_to_change_page(page, live_server, item.pk)
    assert "All crops are automatic." in page.inner_text(".smartcrop-manual-summary")
    page.click(".smartcrop-ratios button:has-text('1:1')")
    stage = page.locator(".smartcrop-stage").bounding_box()
    scale = stage["width"] / 800

    # the zoom handle sits on the box's bottom-right corner, clear of the label at the top-left
    box = page.locator(".smartcrop-box.smartcrop-selected").bounding_box()
    handle = page.locator(".smartcrop-box.smartcrop-selected .smartcrop-handle").bounding_box()
    label = page.locator(".smartcrop-box.smartcrop-selected .smartcrop-label").bounding_box()
    assert abs(handle["x"] + handle["width"] - (box["x"] + box["width"])) <= 5
    assert abs(handle["y"] + handle["height"] - (box["y"] + box["height"])) <= 5
    assert handle["x"] > label["x"] + label["width"] or handle["y"] > label["y"] + label["height"]

    # dragging the handle 60 px inwards shrinks the 600 px box by 60 screen px, no more
    start = _centre(handle)
    _drag(page, start, (start[0] - 60, start[1]))
    zoomed = json.loads(page.input_value(OVERRIDES))["1:1"]
    assert abs(zoomed[2] - (600 - 60 / scale)) <= 3 and zoomed[3] == zoomed[2], zoomed
    assert zoomed[:2] == automatic.as_list()[:2]  # the top-left corner stays
    # and 30 px outwards (down this time: the ratio is kept) grows it back by 30 screen px
    start = _centre(page.locator(".smartcrop-box.smartcrop-selected .smartcrop-handle").bounding_box())
    _drag(page, start, (start[0], start[1] + 30))
    regrown = json.loads(page.input_value(OVERRIDES))["1:1"]
    assert abs(regrown[2] - (zoomed[2] + 30 / scale)) <= 3, regrown

    page.mouse.click(stage["x"] + 5, stage["y"] + stage["height"] / 2)  # centre the square at the far left
    moved = json.loads(page.input_value(OVERRIDES))["1:1"]
    assert moved[0] == 0 and moved[2] == regrown[2]
    start = (stage["x"] + 20 * scale, stage["y"] + 100 * scale)  # drag the box right by 80 image pixels
    _drag(page, start, (start[0] + 80 * scale, start[1]), steps=6)
    moved = json.loads(page.input_value(OVERRIDES))["1:1"]
    assert abs(moved[0] - 80) <= 2 and moved[2:] == regrown[2:]
    with page.expect_navigation():
        page.click("input[name=_continue]")

    state = Photo.objects.get(pk=item.pk).image.smartcrop
    assert state.overrides["1:1"] == moved
    box, source = state.box("1:1")
    assert source == "manual" and box.as_list() == moved
    # after the reload the editor marks 1:1 as manual; "Automatic" clears it
    assert "Manual crops (set by an editor): 1:1." in page.inner_text(".smartcrop-manual-summary")
    assert page.is_visible(".smartcrop-ratios button.smartcrop-manual:has-text('1:1') .smartcrop-badge")
    assert page.locator(".smartcrop-ratios button.smartcrop-manual").count() == 1
    page.click(".smartcrop-ratios button:has-text('1:1')")
    assert "1:1 manual" in page.inner_text(".smartcrop-stage")
    page.click(".smartcrop-automatic")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert Photo.objects.get(pk=item.pk).image.smartcrop.overrides == {}

    page.goto(f"{live_server.url}/admin/gallery/photo/")  # the changelist: a thumbnail per row
    page.wait_for_function("() => [...document.querySelectorAll('img.smartcrop-thumbnail')].every(i => i.complete)")
    sizes = page.eval_on_selector_all("img.smartcrop-thumbnail", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert sizes == [[80, 80]]


@pytest.mark.django_db(transaction=True)
def test_admin_heatmap_is_clearly_visible(live_server, browser_page, django_user_model, shipped_model):
    """Toggling the heat map changes a visible share of the photo (a half-opacity 'screen' blend did not)."""
    from django.core.files.base import ContentFile

    from example_site.gallery.models import Photo

    django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    item = Photo(title="Astronaut")
    item.image.save("astronaut.png", ContentFile((REPO / "samples" / "astronaut.png").read_bytes()), save=True)
    page = browser_page
    _login_to_change_page(page, live_server, item.pk)
    page.wait_for_function("() => document.querySelector('.smartcrop-heatmap').complete")
    page.click(".smartcrop-ratios button:has-text('16:9')")
    page.evaluate("() => document.querySelectorAll('.smartcrop-box').forEach(b => b.style.display = 'none')")
    stage = page.locator(".smartcrop-stage")
    with_heat = np.asarray(Image.open(io.BytesIO(stage.screenshot())).convert("RGB")).astype(int)
    page.uncheck(".smartcrop-heat-toggle")
    without = np.asarray(Image.open(io.BytesIO(stage.screenshot())).convert("RGB")).astype(int)
    changed = float((np.abs(with_heat - without).max(axis=2) > 40).mean())
    assert changed >= 0.03, f"the heat map changes only {changed:.1%} of the photo visibly"
