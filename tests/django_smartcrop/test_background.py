"""Background analysis: the row is pending until the job, which is enqueued only on commit, runs."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from django_smartcrop import tasks
from django_smartcrop.links import links

from .images import jpeg
from .testapp.models import Photo

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
