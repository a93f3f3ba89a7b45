"""Wagtail, in a small real site (custom image model with SaliencyFocalPointMixin, SQLite, file storage,
Wagtail's own ``{% image %}`` tag and admin), each run in a fresh process: the focal point comes from
saliency at upload, ``fill`` then holds the face where Wagtail without a focal point loses it,
``smartfill`` uses the exact box, an editor's focal point wins; and the same through the admin in
a real browser (Debian's chromium)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from PIL import Image

from testsupport.ports import free_port

from .test_thumbnail_libraries import off_centre_face, subject_share

pytest.importorskip("wagtail", reason="wagtail not installed (pip install -e '.[wagtail]')")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PORTRAIT_LEFT, PORTRAIT_RIGHT = 620, 876  # where off_centre_face puts the portrait (x, of 900)


def environment(work: Path, plain: bool = False) -> dict:
    env = dict(os.environ, SMARTCROP_TEST_WORK=str(work), SMARTCROP_TEST_PLAIN="1" if plain else "0",
               OMP_NUM_THREADS="1", SMARTCROP_THREADS="1", PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="tests.integrations.wagtail_project.settings")
    return env


def site(work: Path, *command: str, plain: bool = False) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.integrations.wagtail_project.run", *command], cwd=ROOT,
                          env=environment(work, plain), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def work(tmp_path) -> Path:
    off_centre_face().save(tmp_path / "face.jpg", quality=92)
    return tmp_path


@pytest.mark.parametrize("plain", [False, True], ids=["smartcrop", "wagtail-default"])
def test_focal_point_fill_smartfill_and_the_editor(work, plain):
    site(work, "setup", plain=plain)
    result = site(work, "render", str(work / "face.jpg"), plain=plain)
    automatic, editor = result["automatic"], result["editor"]
    assert Image.open(automatic["fill"]).size == (200, 200)
    assert Image.open(automatic["smartfill"]).size == (100, 150)
    if plain:  # Wagtail as it ships (no OpenCV here): no focal point, a centre crop that loses the face
        assert automatic["focal"] == [None] * 4
        assert subject_share(automatic["fill"]) < 0.05
        return
    x = automatic["focal"][0]
    assert PORTRAIT_LEFT <= x <= PORTRAIT_RIGHT, f"focal point at x={x}, not on the portrait"
    assert subject_share(automatic["fill"]) > 0.6
    assert subject_share(automatic["smartfill"]) > 0.6
    assert result["model_runs"] == 1, "analysed once at upload, not again while the page renders"
    assert result["cached_analysis_reads"] == 0, "a cached analysis is found by Wagtail's file_hash, unread"
    # the editor's focal point (on the empty left) wins, for fill and smartfill, and makes new renditions
    assert editor["focal"] == [150, 150, 100, 100]
    assert subject_share(editor["fill"]) < 0.05 and subject_share(editor["smartfill"]) < 0.05
    assert editor["fill"] != automatic["fill"] and editor["smartfill"] != automatic["smartfill"]


@pytest.fixture
def server(work):
    site(work, "setup")
    port = free_port()
    log = open(work / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "tests.integrations.wagtail_project.run", "serve", str(port)],
                               cwd=ROOT, env=environment(work), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urlopen(url + "/admin/login/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the Wagtail server did not start: " + (work / "server.log").read_text()[-2000:])
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()


def test_upload_through_the_wagtail_admin_in_a_browser(work, server):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server + "/admin/login/")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", "smartcrop-test")
            page.click("button[type=submit]")
            page.wait_for_url(server + "/admin/")
            page.goto(server + "/admin/images/multiple/add/")
            page.set_input_files("input[type=file]", str(work / "face.jpg"))
            page.wait_for_selector("li.upload-success", timeout=60_000)  # Wagtail's own "uploaded" state
            shown = site(work, "show")
            x = shown["focal"][0]
            assert x is not None and PORTRAIT_LEFT <= x <= PORTRAIT_RIGHT, f"focal point {shown['focal']}"
            # the editor's view: Wagtail's focal-point fields hold the automatic point
            page.goto(f"{server}/admin/images/{shown['pk']}/")
            assert page.input_value("input[name=focal_point_x]") == str(x)
            # a page of the site, rendered by Wagtail's {% image %} tag, in the browser
            page.goto(f"{server}/photo/{shown['pk']}/")
            page.wait_for_function("document.getElementById('fill').complete")
            assert page.evaluate("document.getElementById('fill').naturalWidth") == 200
            src = page.get_attribute("#fill", "src")
            (work / "fill.jpg").write_bytes(urlopen(server + src).read())
            assert subject_share(str(work / "fill.jpg")) > 0.6
        finally:
            browser.close()
