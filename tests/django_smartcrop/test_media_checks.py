"""``manage.py check`` warns when uploads and crops would land in the working directory, or when crop URLs
fall under the app's own URL prefix; the default crop folder does not collide with that prefix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django_smartcrop import conf
from django_smartcrop.media_checks import check_media

REPO = Path(__file__).resolve().parents[2]


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_set_media_settings_give_no_warning(settings):
    assert check_media() == []


@pytest.mark.parametrize("missing", ["MEDIA_ROOT", "MEDIA_URL"])
def test_missing_media_setting_warns_w020(settings, missing):
    setattr(settings, missing, "")
    messages = check_media()
    assert "django_smartcrop.W020" in ids(messages)
    (warning,) = [m for m in messages if m.id == "django_smartcrop.W020"]
    assert missing in warning.msg and "MEDIA_URL" in warning.hint and "static(" in warning.hint


def test_default_crop_folder_never_falls_under_the_apps_url_prefix(settings):
    """The newcomer's case: no MEDIA_URL, the app included at "smartcrop/", the default crop folder."""
    del settings.SMARTCROP_PREFIX  # the tests' settings pin the old folder; this is the shipped default
    settings.MEDIA_URL = ""
    assert not conf.setting("PREFIX").strip("/").startswith("smartcrop")
    crop_url = conf.crop_storage().url(conf.setting("PREFIX") + "/ab/x-1x1-10x10-0123.jpg")
    assert not crop_url.startswith("/smartcrop/")
    assert "django_smartcrop.W021" not in ids(check_media())


def test_crop_urls_under_the_apps_prefix_warn_w021(settings):
    settings.MEDIA_URL = ""
    settings.SMARTCROP_PREFIX = "smartcrop"  # what the default used to be: /smartcrop/ab/...jpg
    (warning,) = [m for m in check_media() if m.id == "django_smartcrop.W021"]
    assert "/smartcrop/" in warning.msg and "MEDIA_URL" in warning.hint


def test_manage_py_check_prints_the_warning(tmp_path):
    """A real ``manage.py check`` of a project that forgot the media settings (the example site's)."""
    settings_file = tmp_path / "forgetful_settings.py"
    settings_file.write_text(
        "from example_site.settings import *  # noqa\n"
        "del MEDIA_ROOT, MEDIA_URL\n"
        f"DATABASES = {{'default': {{'ENGINE': 'django.db.backends.sqlite3', 'NAME': {str(tmp_path / 'db')!r}}}}}\n"
        "SILENCED_SYSTEM_CHECKS = ['django_smartcrop.E010']\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}", "DJANGO_SETTINGS_MODULE": "forgetful_settings",
           "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, str(REPO / "example_site" / "manage.py"), "check"],
                            capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "django_smartcrop.W020" in output and "MEDIA_ROOT and MEDIA_URL not set" in output, output


def test_install_docs_set_and_serve_media():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    install = readme.split("## Django", 1)[1].split("### Install", 1)[1].split("### The field", 1)[0]
    for needed in ("MEDIA_ROOT =", "MEDIA_URL =", "static(settings.MEDIA_URL", 'pip install -e ".[django]"', "W020"):
        assert needed in install, needed


@pytest.mark.urls("testsupport.django_site.root_urls")
def test_app_included_at_the_root_only_collides_with_a_crop_folder_named_c(settings):
    settings.MEDIA_URL = ""
    assert "django_smartcrop.W021" not in ids(check_media())  # /smartcrop/ab/... is not the app's
    settings.SMARTCROP_PREFIX = "c"
    assert "django_smartcrop.W021" in ids(check_media())
