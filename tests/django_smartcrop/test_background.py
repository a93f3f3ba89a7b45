"""Background analysis: the row is pending until the job, which is enqueued only on commit, runs."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from django_smartcrop import processing, tasks
from django_smartcrop.links import links

from .images import jpeg
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db

enqueued: list[tuple] = []


def remember_job(*args):
    """A custom SMARTCROP_TASK_BACKEND: a dotted path to any callable."""
    enqueued.append(args)


def test_custom_backend_is_called_on_commit(settings, shipped_model, django_capture_on_commit_callbacks):
    settings.SMARTCROP_TASK_BACKEND = "tests.django_smartcrop.test_background.remember_job"
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = Photo.objects.create()
        item.image.save("later.jpg", ContentFile(jpeg()), save=True)
    state = Photo.objects.get(pk=item.pk).image.smartcrop
    assert state.status == "pending" and (state.width, state.height) == (480, 320)
    assert enqueued == []  # nothing before commit
    (link,) = links(Photo.objects.get(pk=item.pk).image, "16:9", [160])
    assert link.spec.box_source == "centre"  # meanwhile, a centre crop
    for callback in callbacks:
        callback()
    assert enqueued == [("smartcrop_testapp.photo", item.pk, "image", item.image.name)]
    assert tasks.run(*enqueued[0]) == "ok"
    assert Photo.objects.get(pk=item.pk).image.smartcrop.status == "ok"


def test_job_for_a_replaced_file_is_skipped(photo):
    assert tasks.run("smartcrop_testapp.photo", photo.pk, "image", "photos/old-name.jpg") == "stale"
    assert tasks.run("smartcrop_testapp.photo", 12345, "image", "x.jpg") == "gone"


def test_celery_backend(settings, shipped_model, django_capture_on_commit_callbacks):
    celery = pytest.importorskip("celery")
    app = celery.Celery("smartcrop-tests", set_as_current=True)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.SMARTCROP_TASK_BACKEND = "celery"
    with django_capture_on_commit_callbacks(execute=True):
        item = Photo.objects.create()
        item.image.save("celery.jpg", ContentFile(jpeg()), save=True)
        assert Photo.objects.get(pk=item.pk).image.smartcrop.status == "pending"
    assert Photo.objects.get(pk=item.pk).image.smartcrop.status == "ok"


# -- the row changes while the analysis runs ----------------------------------------------------------

MANUAL_16_9 = [0, 0, 480, 270]  # the top-left 16:9 window of the 480x320 test photo


def pending_photo(settings, name: str) -> Photo:
    """A photo uploaded with a background backend: saved, pending, its job recorded in ``enqueued``."""
    settings.SMARTCROP_TASK_BACKEND = "tests.django_smartcrop.test_background.remember_job"
    enqueued.clear()
    item = Photo.objects.create()
    item.image.save(name, ContentFile(jpeg()), save=True)
    assert Photo.objects.get(pk=item.pk).image.smartcrop.status == "pending"
    return item


def with_manual_box(item: Photo) -> None:
    """What the admin editor does: set the manual 16:9 box on the state it read, then save the row."""
    item.saliency = item.image.smartcrop.with_overrides({"16:9": MANUAL_16_9}).to_value()
    item.save()


def test_a_manual_box_saved_while_the_job_runs_is_kept(settings, shipped_model, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = pending_photo(settings, "edited.jpg")
    read_by_job = Photo.objects.get(pk=item.pk)  # the job has read the row and is analysing ...
    with django_capture_on_commit_callbacks(execute=True):
        with_manual_box(Photo.objects.get(pk=item.pk))  # ... when an editor saves a box
    state = processing.process(read_by_job, Photo._meta.get_field("image"))  # the job writes its result
    stored = Photo.objects.get(pk=item.pk).image.smartcrop
    assert state is not None and stored.status == "ok" and stored.analysis is not None
    assert stored.overrides == {"16:9": MANUAL_16_9}  # not the empty boxes the job read


def test_a_pending_row_saved_after_its_job_finished_is_analysed_again(
    settings, shipped_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = pending_photo(settings, "late-save.jpg")
    editor_copy = Photo.objects.get(pk=item.pk)  # read while pending
    assert tasks.run(*enqueued[0]) == "ok"
    with django_capture_on_commit_callbacks(execute=True):
        with_manual_box(editor_copy)  # writes the stale pending state back over the finished analysis
    assert Photo.objects.get(pk=item.pk).image.smartcrop.status == "pending"
    assert len(enqueued) == 2, enqueued  # so the save enqueued the analysis again
    assert tasks.run(*enqueued[1]) == "ok"
    stored = Photo.objects.get(pk=item.pk).image.smartcrop
    assert stored.status == "ok" and stored.overrides == {"16:9": MANUAL_16_9}


def test_a_job_never_writes_over_a_newer_file(settings, shipped_model, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = pending_photo(settings, "first.jpg")
    read_by_job = Photo.objects.get(pk=item.pk)
    with django_capture_on_commit_callbacks(execute=True):
        newer = Photo.objects.get(pk=item.pk)
        newer.image.save("second.jpg", ContentFile(jpeg()), save=True)
    assert processing.process(read_by_job, Photo._meta.get_field("image")) is None
    stored = Photo.objects.get(pk=item.pk).image.smartcrop
    assert stored.name == newer.image.name and stored.status == "pending"  # the newer file's own job comes
