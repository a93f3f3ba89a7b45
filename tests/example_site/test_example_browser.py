"""A real browser (Debian's chromium, driven by Playwright) uploads an image on the example site and
checks that every crop in the gallery loads with the right aspect ratio."""

from __future__ import annotations

import json
import shutil

import pytest

from .images import photo_jpeg

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RATIOS = {"16:9": 16 / 9, "1:1": 1.0, "4:5": 0.8, "9:16": 9 / 16}


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_upload_and_see_the_crops(live_server, browser_page, tmp_path, shipped_model):
    picture = tmp_path / "holiday.jpg"
    picture.write_bytes(photo_jpeg(800, 500))
    page = browser_page
    page.goto(live_server.url + "/")
    assert "No images yet" in page.content()
    page.fill("input[name=title]", "Holiday")
    page.set_input_files("input[name=image]", str(picture))
    with page.expect_navigation():
        page.click("#upload button[type=submit]")

    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('img.crop, img.heatmap')];"
        " return imgs.length === 5 && imgs.every(i => i.complete); }",
        timeout=60_000,
    )
    crops = page.eval_on_selector_all(
        "img.crop", "imgs => imgs.map(i => [i.dataset.ratio, i.naturalWidth, i.naturalHeight, i.currentSrc])"
    )
    assert [c[0] for c in crops] == list(RATIOS)
    for ratio, width, height, src in crops:
        assert width > 0 and height > 0, f"{ratio} crop did not load: {src}"
        assert height == 200
        assert abs(width / height - RATIOS[ratio]) <= 1 / height, (ratio, width, height)
    heat = page.eval_on_selector("img.heatmap", "i => i.naturalWidth")
    assert heat > 0

    page.reload()  # second visit: the crops are known, so the page links the files directly
    sources = page.eval_on_selector_all("img.crop", "imgs => imgs.map(i => i.getAttribute('src'))")
    assert all(src.startswith("/media/smartcrop/") for src in sources)


@pytest.mark.django_db(transaction=True)
def test_admin_editor_moves_and_zooms_a_crop(live_server, browser_page, django_user_model, shipped_model):
    from django.core.files.base import ContentFile

    from example_site.gallery.models import Photo

    django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    item = Photo(title="Disc")
    item.image.save("disc.jpg", ContentFile(photo_jpeg(800, 500)), save=True)
    automatic = Photo.objects.get(pk=item.pk).image.smartcrop.box("1:1")[0]
    assert automatic.left > 200  # on the disc, right of centre

    page = browser_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/gallery/photo/{item.pk}/change/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.wait_for_function("() => document.querySelector('.smartcrop-image').naturalWidth > 0")
    page.click(".smartcrop-ratios button:has-text('1:1')")
    stage = page.locator(".smartcrop-stage").bounding_box()
    page.mouse.click(stage["x"] + 5, stage["y"] + stage["height"] / 2)  # centre the square at the far left
    assert json.loads(page.input_value("input[name=image__smartcrop_overrides]")) == {"1:1": [0, 0, 500, 500]}
    # drag the box right by a tenth of the picture: 80 image pixels
    start_x, start_y = stage["x"] + stage["width"] * 0.2, stage["y"] + stage["height"] / 2
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + stage["width"] * 0.05, start_y, steps=3)
    page.mouse.move(start_x + stage["width"] * 0.1, start_y, steps=3)
    page.mouse.up()
    moved = json.loads(page.input_value("input[name=image__smartcrop_overrides]"))["1:1"]
    assert abs(moved[0] - 80) <= 2 and moved[1:] == [0, 500, 500]
    # zoom in: drag the corner handle from the box's bottom right to half its width (250 image pixels)
    scale = stage["width"] / 800
    handle = page.locator(".smartcrop-box.smartcrop-selected .smartcrop-handle").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(stage["x"] + (moved[0] + 250) * scale, stage["y"] + 250 * scale, steps=4)
    page.mouse.up()
    with page.expect_navigation():
        page.click("input[name=_continue]")

    state = Photo.objects.get(pk=item.pk).image.smartcrop
    left, top, width, height = state.overrides["1:1"]
    assert left == moved[0] and top == 0 and abs(width - 250) <= 3 and height == width  # top-left kept
    box, source = state.box("1:1")
    assert source == "manual" and box.as_list() == [left, top, width, height]
    # after the reload the editor shows the manual box; "Automatic" clears it
    page.click(".smartcrop-ratios button:has-text('1:1')")
    assert "1:1 manual" in page.inner_text(".smartcrop-stage")
    page.click(".smartcrop-automatic")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert Photo.objects.get(pk=item.pk).image.smartcrop.overrides == {}
