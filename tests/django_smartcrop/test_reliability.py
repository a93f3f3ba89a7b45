"""Faults: a storage failing while a crop is written, a missing or corrupt model, a locked database and a
recompute worker killed part way. Real storage (a FileSystemStorage subclass that fails), real SQLite
(a file shared with child processes for the command), the shipped model."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from PIL import Image

from django_smartcrop import renditions
from django_smartcrop.links import links
from django_smartcrop.models import Crop

from tests.conftest import SHIPPED_MODEL as MODEL
from testsupport.django_site.faulty_storage import FaultyStorage
from .images import jpeg, scene
from .sites import Site, make_template_db
from testsupport.django_site.testapp.models import Photo


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# -- the storage fails while a crop is written ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["partial", "empty", "foreign", "rename"])
def test_failed_crop_write_leaves_nothing_and_the_next_request_regenerates(photo, client, faulty, mode, caplog):
    (link,) = links(photo.image, "16:9", [320])
    FaultyStorage.reset(mode)
    response = client.get(link.url)
    assert FaultyStorage.failures == 1  # the storage really failed inside _save
    assert response.status_code == 302 and response["Location"] == photo.image.url  # the original instead
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert files_under(faulty) == []  # no half-written, empty or temporary file
    assert not Crop.objects.exists()
    assert links(photo.image, "16:9", [320])[0].kind == "view"  # pages keep asking the view

    FaultyStorage.reset(None)
    again = client.get(link.url)
    assert again.status_code == 302 and again["Location"].startswith("/crops/smartcrop/")
    path = faulty / again["Location"].removeprefix("/crops/")
    with Image.open(path) as crop:
        crop.load()  # complete: decodes to the last byte
        assert crop.size == (320, 180)
    assert files_under(faulty) == [path] and Crop.objects.count() == 1
    assert links(photo.image, "16:9", [320])[0].kind == "file"


@pytest.mark.django_db
def test_a_half_file_under_the_crop_name_is_replaced_not_served(photo, client, faulty):
    """What a writer killed inside a non-atomic storage leaves: the registry does not know the file."""
    (link,) = links(photo.image, "1:1", [100])
    leftover = faulty / link.spec.name
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    response = client.get(link.url)
    assert response["Location"] == "/crops/" + link.spec.name
    with Image.open(leftover) as crop:
        crop.load()
        assert crop.size == (100, 100)
    assert FaultyStorage.saves == 1


@pytest.mark.django_db
def test_a_complete_unregistered_crop_is_kept(photo, client, faulty):
    """The registry was lost, the file was not: it is registered again, not rewritten."""
    (link,) = links(photo.image, "1:1", [100])
    client.get(link.url)
    Crop.objects.all().delete()
    from django.core.cache import caches

    caches["default"].clear()
    before = (faulty / link.spec.name).stat().st_mtime_ns
    FaultyStorage.reset("partial")  # a write now would fail: none happens
    assert client.get(link.url)["Location"] == "/crops/" + link.spec.name
    assert FaultyStorage.saves == 0 and (faulty / link.spec.name).stat().st_mtime_ns == before
    assert Crop.objects.count() == 1


@pytest.mark.django_db
def test_orphaned_temporary_files_are_swept(photo, media):
    """A worker killed between writing its temporary file and the rename leaves a hidden .part file;
    the recompute command removes those older than ORPHAN_AGE (younger ones may still be in use)."""
    folder = media / "smartcrop" / "ab"
    folder.mkdir(parents=True)
    old, fresh = folder / ".smartcrop-dead.part", folder / ".smartcrop-busy.part"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    out = _call("smartcrop_recompute")
    assert "1 temporary file(s) of interrupted writes removed" in out
    assert not old.exists() and fresh.exists()
    assert renditions.sweep_orphans(older_than=0) == 1 and not fresh.exists()


def _call(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def lost_job(*args: object) -> None:
    """A SMARTCROP_TASK_BACKEND whose jobs are accepted and never run: the worker died with them."""


@pytest.mark.django_db
def test_rows_whose_job_died_with_its_worker_are_picked_up_by_recompute(settings, media, shipped_model,
                                                                        django_capture_on_commit_callbacks):
    settings.SMARTCROP_TASK_BACKEND = "tests.django_smartcrop.test_reliability.lost_job"
    with django_capture_on_commit_callbacks(execute=True):
        item = Photo.objects.create()
        item.image.save("later.jpg", ContentFile(jpeg()), save=True)
    assert Photo.objects.get(pk=item.pk).image.smartcrop.status == "pending"
    settings.SMARTCROP_TASK_BACKEND = "sync"
    assert "recomputed 1, 0 failed" in _call("smartcrop_recompute")
    assert Photo.objects.get(pk=item.pk).image.smartcrop.status == "ok"
    assert "recomputed 0, 0 failed" in _call("smartcrop_recompute")


# -- the model file is missing or corrupt -------------------------------------------------------------------


@pytest.fixture(params=["missing", "corrupt"])
def bad_model(request, tmp_path) -> Path:
    path = tmp_path / "models" / "saliency.onnx"
    if request.param == "corrupt":
        path.parent.mkdir()
        path.write_bytes(b"\x08\x07" + os.urandom(3000))
    return path


def test_a_bad_model_fails_the_system_check_naming_path_and_setting(settings, bad_model):
    call_command("check")  # the shipped model passes
    settings.SMARTCROP_MODEL = str(bad_model)
    with pytest.raises(SystemCheckError) as raised:
        call_command("check")
    text = str(raised.value)
    assert "django_smartcrop.E010" in text and str(bad_model) in text
    assert "SMARTCROP_MODEL setting" in text
    assert ("not found" in text) == (not bad_model.exists())


@pytest.mark.django_db
def test_uploads_save_with_a_bad_model_and_the_error_is_logged_once(client, settings, media, bad_model, caplog):
    settings.SMARTCROP_MODEL = str(bad_model)
    caplog.set_level(logging.INFO)
    for index in range(3):
        data = jpeg(scene(spot=(0.2 + 0.2 * index, 0.5)))
        response = client.post(reverse("upload"), {"image": SimpleUploadedFile(f"u{index}.jpg", data, "image/jpeg")})
        assert response.status_code == 302
        item = Photo.objects.latest("pk")
        assert (media / item.image.name).read_bytes() == data  # the upload is saved
        state = item.image.smartcrop
        assert state.status == "error" and state.error.startswith("ModelError")
        assert str(bad_model) in state.error and "SMARTCROP_MODEL setting" in state.error
        assert state.box("16:9")[1] == "centre"
        assert client.get(response["Location"]).status_code == 200
    ours = [r for r in caplog.records if r.name.startswith("django_smartcrop")]
    assert not [r for r in ours if r.exc_info]  # no traceback, per request or otherwise
    errors = [r for r in ours if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and str(bad_model) in errors[0].getMessage()

    bad_model.parent.mkdir(exist_ok=True)
    shutil.copyfile(MODEL, bad_model)  # the site owner fixes the file: no restart needed
    response = client.post(reverse("upload"), {"image": SimpleUploadedFile("fixed.jpg", jpeg(), "image/jpeg")})
    assert Photo.objects.latest("pk").image.smartcrop.status == "ok"


@pytest.mark.django_db
def test_recompute_refuses_to_run_with_a_bad_model(settings, media, bad_model, shipped_model):
    item = Photo.objects.create(image="photos/a.jpg")
    Photo.objects.update(saliency=None)
    settings.SMARTCROP_MODEL = str(bad_model)
    with pytest.raises(CommandError, match=re.escape(str(bad_model))):
        _call("smartcrop_recompute")
    assert Photo.objects.get(pk=item.pk).saliency is None  # nothing recorded as failed


# -- the command in child processes: manage.py check, a killed worker, a locked database -----------------


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    return make_template_db(tmp_path_factory.mktemp("site"))


@pytest.fixture
def site(tmp_path, template_db) -> Site:
    return Site(tmp_path / "site", template_db)


def _recomputed(stdout: str) -> int:
    return int(re.search(r"recomputed (\d+), (\d+) failed", stdout).group(1))


WARM = "16:9@120,1:1@80"


def _assert_final_state(site: Site, count: int) -> None:
    """Every row analysed for its file; one crop row and one complete file per warmed crop, no duplicates."""
    states = site.states()
    assert len(states) == count
    assert all(s.get("status") == "ok" and s.get("name") == s["file"] for s in states)
    names = site.crop_rows()
    assert len(names) == len(set(names)) == 2 * count
    files = [p for p in files_under(site.media / "smartcrop") if not p.name.startswith(".")]
    assert sorted(str(p.relative_to(site.media)) for p in files) == sorted(names)  # no "name_AbC1234.jpg" copies
    for path in files:
        with Image.open(path) as crop:
            crop.load()


def test_manage_py_check_names_the_model_path_and_the_variable(site, tmp_path):
    done = site.run("check", SMARTCROP_MODEL=str(tmp_path / "nowhere" / "saliency.onnx"))
    assert done.returncode == 1
    assert "django_smartcrop.E010" in done.stderr and str(tmp_path / "nowhere" / "saliency.onnx") in done.stderr
    assert "SMARTCROP_MODEL environment variable" in done.stderr and "Traceback" not in done.stderr
    assert site.run("check").returncode == 0


def test_a_killed_recompute_completes_on_rerun_without_duplicates(site):
    count = 30
    site.add_photos(count)
    worker = site.start("smartcrop_recompute", "--warm", WARM, "--chunk-size", "4",
                        SMARTCROP_TEST_SLOW="photos/p015.jpg", SMARTCROP_TEST_SLOW_SECONDS="120")
    site.wait_for(6, worker)
    worker.send_signal(signal.SIGKILL)  # mid-run, however fast the machine: it waits at p015
    worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    before = site.analysed()
    assert 6 <= before < count

    again = site.run("smartcrop_recompute", "--warm", WARM)
    assert again.returncode == 0, again.stderr
    assert _recomputed(again.stdout) == count - before  # each row analysed exactly once over both runs
    _assert_final_state(site, count)
    third = site.run("smartcrop_recompute", "--warm", WARM)
    assert _recomputed(third.stdout) == 0 and f"{2 * count} crop(s) warmed" in third.stdout
    _assert_final_state(site, count)


def test_a_locked_database_stops_the_command_cleanly_and_a_rerun_completes(site, tmp_path):
    count = 40
    site.add_photos(count)
    gate = tmp_path / "go on"  # the command waits at p020 until the database is locked
    worker = site.start("smartcrop_recompute", "--warm", WARM, "--chunk-size", "4", SMARTCROP_TEST_DB_TIMEOUT="0.2",
                        SMARTCROP_TEST_SLOW="photos/p020.jpg", SMARTCROP_TEST_GATE=str(gate),
                        SMARTCROP_TEST_SLOW_SECONDS="120")
    site.wait_for(3, worker)
    lock = sqlite3.connect(site.db, timeout=10, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another process holds the database: readers and writers get "locked"
    gate.touch()
    try:
        out, err = worker.communicate(timeout=60)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert worker.returncode == 1, (out, err)
    lines = [line for line in err.splitlines() if line.startswith("CommandError")]
    assert len(lines) == 1 and "database is locked" in lines[0] and "run the command again" in lines[0]
    assert "Traceback" not in err
    before = site.analysed()
    assert 3 <= before < count

    again = site.run("smartcrop_recompute", "--warm", WARM)
    assert again.returncode == 0, again.stderr
    assert _recomputed(again.stdout) == count - before
    _assert_final_state(site, count)


def test_a_second_recompute_at_once_says_already_running_and_the_first_finishes(site, tmp_path):
    count = 30
    site.add_photos(count)
    gate = tmp_path / "go on"  # the first run waits at p010 until the second has been answered
    first = site.start("smartcrop_recompute", "--all", "--warm", WARM, "--chunk-size", "4",
                       SMARTCROP_TEST_SLOW="photos/p010.jpg", SMARTCROP_TEST_GATE=str(gate),
                       SMARTCROP_TEST_SLOW_SECONDS="120")
    site.wait_for(2, first)
    second = site.run("smartcrop_recompute", "--all", "--warm", WARM)
    gate.touch()
    assert second.returncode == 1
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "already running" in lines[0] and f"pid {first.pid}" in lines[0], second.stderr
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert _recomputed(out) == count
    _assert_final_state(site, count)
    again = site.run("smartcrop_recompute", "--all", "--warm", WARM)  # the lock went with its holder
    assert again.returncode == 0 and _recomputed(again.stdout) == count, again.stderr


def test_the_lock_of_a_killed_recompute_is_released(site):
    site.add_photos(12)
    worker = site.start("smartcrop_recompute", "--chunk-size", "2")
    site.wait_for(2, worker)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=30)
    again = site.run("smartcrop_recompute")
    assert again.returncode == 0, again.stderr
    assert [state.get("status") for state in site.states()] == ["ok"] * 12
