"""The bookkeeping behind --enqueue, run in this process as a worker would run it (the broker and real
workers are in test_celery_workers.py): redelivered and superseded messages do nothing, dead claims are
taken over, a row analysed meanwhile by its upload job is not analysed again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from django_smartcrop import jobs, tasks
from django_smartcrop.models import AnalysisJob
from django_smartcrop.recompute import find_targets
from django_smartcrop.signals import analysis_stored

from .images import jpeg, scene
from testsupport.django_site.testapp.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(db):
    """The pks of every analysis stored, in order (from the signal sent in the storing transaction)."""
    stored: list[str] = []

    def record(sender, pk, field, state, **kwargs):
        stored.append(str(pk))

    analysis_stored.connect(record, weak=False, dispatch_uid="test_jobs")
    yield stored
    analysis_stored.disconnect(dispatch_uid="test_jobs")


@pytest.fixture
def rows(media, shipped_model):
    (media / "photos").mkdir()
    items = []
    for index in range(5):
        name = f"photos/j{index}.jpg"
        (media / name).write_bytes(jpeg(scene(200, 150, spot=((index + 1) / 6, 0.5))))
        items.append(Photo.objects.create(image=name))
    Photo.objects.update(saliency=None)
    return items


def _enqueue(**options) -> tuple[jobs.EnqueueReport, list[tuple]]:
    sent: list[tuple] = []
    report = jobs.enqueue(find_targets(["smartcrop_testapp.Photo"]), lambda *message: sent.append(message),
                          chunk_size=2, **options)
    return report, sent


def test_each_message_does_its_rows_once(rows, analysed):
    report, sent = _enqueue()
    assert (report.sent, report.messages, len(sent)) == (5, 3, 3)
    assert AnalysisJob.objects.count() == 5
    again, nothing = _enqueue()
    assert (again.sent, again.already_queued, nothing) == (0, 5, [])
    for message in sent:
        jobs.run_message(*message)
    assert sorted(analysed) == sorted(str(p.pk) for p in rows) and AnalysisJob.objects.count() == 0
    for message in sent:  # redelivered after they finished (acks_late): nothing to do
        assert jobs.run_message(*message).recomputed == 0
    assert len(analysed) == 5
    assert all(Photo.objects.get(pk=p.pk).image.smartcrop.status == "ok" for p in rows)


def test_a_live_claim_is_respected_and_a_dead_one_taken_over(rows, analysed, settings):
    settings.SMARTCROP_TASK_TIME_LIMIT = 60
    _, sent = _enqueue()
    claimed = jobs._claim(sent[0][0], [token for _, _, token in sent[0][1]])  # a worker took message 0
    assert len(claimed) == 2
    assert jobs.run_message(*sent[0]).recomputed == 0  # delivered twice meanwhile: the live claim holds
    again, resent = _enqueue()
    assert again.requeued == 0 and resent == []  # not dead yet
    AnalysisJob.objects.filter(pk__in=[job.pk for job in claimed]).update(
        started=timezone.now() - timedelta(seconds=61))  # the claiming worker died a while ago
    again, resent = _enqueue()
    assert again.requeued == 2 and [len(items) for _, items, _ in resent] == [2]
    assert jobs.run_message(*sent[0]).recomputed == 0  # the old message is superseded by the new tokens
    assert jobs.run_message(*resent[0]).recomputed == 2
    assert len(analysed) == 2


def test_a_row_analysed_by_its_upload_job_meanwhile_is_not_analysed_again(settings, media, shipped_model, analysed,
                                                                          django_capture_on_commit_callbacks):
    settings.SMARTCROP_TASK_BACKEND = "tests.django_smartcrop.test_background.remember_job"
    item = Photo.objects.create()
    item.image.save("pending.jpg", ContentFile(jpeg()), save=True)  # pending: its upload job is queued
    _, sent = _enqueue()  # the recompute picks the pending row up too
    assert tasks.run("smartcrop_testapp.photo", item.pk, "image", item.image.name) == "ok"  # the upload job
    assert jobs.run_message(*sent[0]).recomputed == 0 and analysed == [str(item.pk)]
    assert AnalysisJob.objects.count() == 0


def test_a_replaced_file_drops_the_job(rows, analysed):
    _, sent = _enqueue()
    Photo.objects.filter(pk=rows[0].pk).update(image="photos/j1.jpg")
    jobs.run_message(*sent[0])
    assert str(rows[0].pk) not in analysed and not AnalysisJob.objects.filter(object_pk=str(rows[0].pk)).exists()


def test_status_counts(rows, analysed, monkeypatch):
    _, sent = _enqueue()
    jobs.run_message(*sent[0])
    Path(rows[2].image.path).write_bytes(b"broken")
    jobs.run_message(*sent[1])
    status = jobs.status(find_targets(["smartcrop_testapp.Photo"]))
    assert status.counts == {"ok": 3, "failed": 1, "pending": 1, "stale": 0, "missing": 0} and status.queued == 1
    assert [failure.pk for failure in status.failures] == [rows[2].pk]
    monkeypatch.setattr(jobs, "current_model_label", lambda: "newer@2")
    assert jobs.status(find_targets(["smartcrop_testapp.Photo"])).counts["stale"] == 3
