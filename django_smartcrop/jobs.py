"""``smartcrop_recompute --enqueue``: rows sent to Celery workers in chunks, each analysed exactly once.

Each selected row gets an AnalysisJob with a fresh token, and each chunk of rows one message. A worker
claims the rows of its message (a single UPDATE, so two deliveries of one message never both work on
a row), analyses them, and deletes each job in the transaction that stores its result. So:

- a message redelivered after a worker died (``acks_late``) finds its unfinished rows claimable again
  once their claim is older than the job time limit (no live worker can still hold it) and its
  finished rows gone;
- running ``--enqueue`` twice sends nothing for rows already queued;
- rows whose job died without redelivery (a lost message, or a claim older than the time limit) get a
  new token and message from the next ``--enqueue``; an old message for them then does nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import conf
from .models import AnalysisJob
from .processing import process, store
from .recompute import (Failure, Mode, Report, Target, chunks, current_model_label, find_targets, needs_work,
                        parse_warm, rows, state_kind, warm_row)
from .state import CropState, now_iso

logger = logging.getLogger(__name__)

#: A queued job not started after this long was lost (never delivered) and is sent again.
REQUEUE_AFTER = 6 * 60 * 60


@dataclass
class EnqueueReport:
    seen: int = 0
    sent: int = 0  # rows in new messages
    messages: int = 0
    requeued: int = 0  # of ``sent``: rows whose earlier job had died or was lost
    already_queued: int = 0


@dataclass
class Status:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("ok", "failed", "pending", "stale", "missing"), 0))
    queued: int = 0  # of "pending": rows with a job from --enqueue
    failures: list[Failure] = field(default_factory=list)


def time_limit() -> int:
    """Seconds a job may run before its worker kills it (SMARTCROP_TASK_TIME_LIMIT)."""
    return int(conf.setting("TASK_TIME_LIMIT"))


def enqueue(targets: list[Target], send: Callable[[str, list[list[str]], str], None], *, mode: Mode = "stale",
            model_version: str | None = None, chunk_size: int = 100, warm: str = "",
            requeue_after: float = REQUEUE_AFTER) -> EnqueueReport:
    """Create jobs for the rows that need work and ``send(target, items, warm)`` one message per chunk.

    ``items`` are ``[pk, file_name, token]``. Rows with a live job are left alone.
    """
    report = EnqueueReport()
    current = current_model_label()
    for target in targets:
        for chunk in chunks(target, chunk_size):
            report.seen += len(chunk)
            _enqueue_chunk(target, str(target), chunk, send, mode, current, model_version, warm, requeue_after, report)
    return report


def _enqueue_chunk(target: Target, label: str, chunk: list, send: Callable[[str, list[list[str]], str], None],
                   mode: Mode, current: str | None, model_version: str | None, warm: str, requeue_after: float,
                   report: EnqueueReport) -> None:
    wanted = {}
    for instance in chunk:
        field_file = getattr(instance, target.field.attname)
        if needs_work(field_file.smartcrop, field_file.name, mode, current, model_version):
            wanted[str(instance.pk)] = field_file.name
    if not wanted:
        return
    now = timezone.now()
    existing = {job.object_pk: job for job in AnalysisJob.objects.filter(target=label, object_pk__in=list(wanted))}
    items, new_jobs = [], []
    with transaction.atomic():  # one commit per chunk, not one per row
        for pk, file_name in wanted.items():
            token = uuid.uuid4().hex
            job = existing.get(pk)
            if job is None:
                new_jobs.append(AnalysisJob(target=label, object_pk=pk, file_name=file_name, token=token, enqueued=now))
            elif _is_dead(job, now, requeue_after):
                # Compare-and-set on the old token and claim: a worker claiming it meanwhile wins.
                taken = AnalysisJob.objects.filter(pk=job.pk, token=job.token, started=job.started).update(
                    token=token, file_name=file_name, enqueued=now, started=None, claimed_by="")
                if not taken:
                    report.already_queued += 1
                    continue
                report.requeued += 1
                items.append([pk, file_name, token])
            else:
                report.already_queued += 1
        # A concurrent --enqueue may have queued some of these rows meanwhile: theirs stand.
        AnalysisJob.objects.bulk_create(new_jobs, ignore_conflicts=True)
    created = set(AnalysisJob.objects.filter(target=label, token__in=[job.token for job in new_jobs])
                  .values_list("token", flat=True))
    report.already_queued += len(new_jobs) - len(created)
    items += [[job.object_pk, job.file_name, job.token] for job in new_jobs if job.token in created]
    if items:
        send(label, items, warm)
        report.sent += len(items)
        report.messages += 1


def _is_dead(job: AnalysisJob, now: datetime, requeue_after: float) -> bool:
    """A claimed job older than the time limit died with its worker; an unclaimed one this old was lost."""
    if job.started is not None:
        return job.started < now - timedelta(seconds=time_limit())
    return job.enqueued < now - timedelta(seconds=requeue_after)


class Interrupted(Exception):
    """The job's time limit struck during one row: that row is recorded as failed, ``rest`` still to do."""

    def __init__(self, done: int, rest: list[list[str]]) -> None:
        super().__init__(f"interrupted after {done} row(s), {len(rest)} left")
        self.done, self.rest = done, rest


def run_message(label: str, items: Iterable[list[str]], warm: str = "", storage_errors: bool = True,
                interrupted: type[BaseException] | tuple[type[BaseException], ...] = ()) -> Report:
    """The worker's side of one message: claim its rows, analyse each, finish its job with its result.

    Raises StorageUnavailable (from ``process``) when a file cannot be read and ``storage_errors``:
    the rows done so far are finished, the others released, so a retry of the message does the rest.
    ``interrupted`` (the worker's soft time limit) raises Interrupted instead: a row that slow is
    recorded as failed rather than tried again.
    """
    report = Report()
    (target,) = find_targets([label])
    plan = parse_warm(warm)
    claimed = _claim(label, [token for _, _, token in items])
    rows_by_pk = target.model._base_manager.in_bulk([job.object_pk for job in claimed])
    instances = {str(pk): row for pk, row in rows_by_pk.items()}  # job pks are text
    for index, job in enumerate(claimed):
        report.seen += 1
        try:
            _run_job(target, job, instances.get(job.object_pk), plan, storage_errors, report)
        except interrupted:
            _record_timeout(target, job)
            raise Interrupted(report.recomputed, _release(claimed[index + 1:])) from None
        except BaseException:
            _release(claimed[index:])
            raise
    return report


def _release(jobs: list[AnalysisJob]) -> list[list[str]]:
    """Give these claimed jobs back (unclaimed, same token); returns them as message items."""
    AnalysisJob.objects.filter(pk__in=[job.pk for job in jobs]).update(started=None, claimed_by="")
    return [[job.object_pk, job.file_name, job.token] for job in jobs]


def _record_timeout(target: Target, job: AnalysisJob) -> None:
    instance = target.model._base_manager.filter(pk=job.object_pk).first()
    field_file = getattr(instance, target.field.attname) if instance is not None else None
    if field_file is not None and field_file.name == job.file_name:
        previous = field_file.smartcrop
        same = previous is not None and previous.name == job.file_name
        store(instance, target.field, CropState(
            name=job.file_name, status="error", width=previous.width if same else None,  # type: ignore[union-attr]
            height=previous.height if same else None,  # type: ignore[union-attr]
            overrides=previous.overrides if same else {},  # type: ignore[union-attr]
            error=f"the analysis took longer than the job time limit ({time_limit()} s)", computed=now_iso()))
    job.delete()
    logger.warning("smartcrop: %s pk=%s took longer than the job time limit; recorded as failed",
                   job.target, job.object_pk)


def _claim(label: str, tokens: list[str]) -> list[AnalysisJob]:
    """The jobs of these tokens that nobody holds (unclaimed, or claimed before the time limit), now ours."""
    me, now = uuid.uuid4().hex, timezone.now()
    free = Q(started__isnull=True) | Q(started__lt=now - timedelta(seconds=time_limit()))
    AnalysisJob.objects.filter(free, target=label, token__in=tokens).update(started=now, claimed_by=me)
    return list(AnalysisJob.objects.filter(target=label, token__in=tokens, claimed_by=me).order_by("pk"))


def _run_job(target: Target, job: AnalysisJob, instance: object | None, plan: list, storage_errors: bool,
             report: Report) -> None:
    field_file = getattr(instance, target.field.attname, None) if instance is not None else None
    if field_file is None or field_file.name != job.file_name:
        job.delete()  # the row is gone, or holds a new file (which has its own job)
        return
    state = field_file.smartcrop
    if _done_since(state, job):
        job.delete()
    else:
        def finish(stored: CropState) -> None:
            AnalysisJob.objects.filter(pk=job.pk, token=job.token).delete()

        state = process(instance, target.field, storage_errors=storage_errors, on_stored=finish)
        if state is None:
            AnalysisJob.objects.filter(pk=job.pk, token=job.token).delete()
            return
        report.recomputed += 1
        logger.info("smartcrop: analysed %s pk=%s: %s", job.target, job.object_pk, state.status)
        if state.status == "error":  # recorded; no warming (as in-process)
            report.failures.append(Failure(job.target, job.object_pk, job.file_name, state.error or "error"))
            return
    warm_row(target, instance, state, plan, report)


def _done_since(state: CropState | None, job: AnalysisJob) -> bool:
    """Whether another job (the upload's own) analysed this file after this job was enqueued."""
    if state is None or state.name != job.file_name or state.status == "pending" or not state.computed:
        return False
    try:
        computed = datetime.fromisoformat(state.computed)
    except ValueError:
        return False
    return computed >= job.enqueued.replace(microsecond=0)  # "computed" has whole seconds


def status(targets: list[Target]) -> Status:
    """Counts per state over every row with a file, and the failures with their reasons."""
    result = Status()
    current = current_model_label()
    for target in targets:
        label = str(target)
        queued = set(AnalysisJob.objects.filter(target=label).values_list("object_pk", flat=True))
        for instance in rows(target, 500):
            field_file = getattr(instance, target.field.attname)
            state, is_queued = field_file.smartcrop, str(instance.pk) in queued
            kind = "pending" if is_queued else state_kind(state, field_file.name, current)
            result.counts[kind] += 1
            result.queued += is_queued
            if kind == "failed":
                result.failures.append(Failure(label, instance.pk, field_file.name, state.error or "error"))  # type: ignore[union-attr]
    return result
