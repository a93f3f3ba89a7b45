"""Fixtures for the example-site tests: its URLs, a tmp media folder, and a real headless Chromium page
that leaves a screenshot in the test output when a browser test fails (the model: the root
``shipped_model``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.cache import caches

CHROMIUM = "/usr/bin/chromium"
FAILURES = Path(tempfile.gettempdir()) / "smartcrop-browser-failures"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("SMARTCROP_MODEL", raising=False)
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.ROOT_URLCONF = "example_site.urls"
    caches["default"].clear()
    return root


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test item, so fixtures can tell a failed test at teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def browser_page(request, monkeypatch):
    """A Playwright page in Debian's chromium (never a downloaded browser); a screenshot on failure."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in tests are plain sync code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            yield page
            report = getattr(request.node, "report_call", None)
            if report is not None and report.failed:
                FAILURES.mkdir(parents=True, exist_ok=True)  # outside pytest's tmp folders, which other runs prune
                shot = FAILURES / f"{request.node.name}.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"\nbrowser screenshot at failure: {shot} (page {page.url})")
        finally:
            browser.close()
