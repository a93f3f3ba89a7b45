"""``manage.py smartcrop_recompute``: (re)run saliency for SmartCropImageFields, in this process or on
Celery workers (``--enqueue``), optionally warming crops; ``--status`` reports where every row stands."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from smartcrop_core import RatioError
from tqdm import tqdm

from ... import conf, jobs, recompute, tasks
from ...checks import model_problem


class Command(BaseCommand):
    help = (
        "Run saliency analysis for SmartCropImageFields. By default only rows that need it: never analysed, "
        "failed, still pending, or analysed by another model than the current one. Safe to interrupt and re-run. "
        "--enqueue sends the work to Celery workers instead; --status shows counts per state and the failures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("labels", nargs="*", metavar="app_label[.Model[.field]]",
                            help="Limit to these apps, models or fields (default: all).")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--missing-only", action="store_true", help="Only rows never analysed (or pending).")
        which.add_argument("--all", action="store_true", help="Every row with a file.")
        parser.add_argument("--model-version", metavar="V",
                            help="Only rows analysed by this model ('name@version' or just the version).")
        parser.add_argument("--chunk-size", type=int, default=100, metavar="N",
                            help="Rows per query, and per Celery message with --enqueue (default 100).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be recomputed; change nothing.")
        parser.add_argument("--warm", metavar="RATIOS",
                            help="Also pre-render crops, e.g. '16:9,1:1' or '16:9@400+800,1:1@600'.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--enqueue", action="store_true",
                          help="Send the rows to Celery workers in chunks and return at once (safe to run twice).")
        mode.add_argument("--status", action="store_true",
                          help="Count rows per state (ok, failed, pending, stale, missing) and list the failures.")
        parser.add_argument("--requeue-after", type=float, default=jobs.REQUEUE_AFTER, metavar="SECONDS",
                            help="With --enqueue: send again jobs queued this long ago that no worker started "
                                 f"(lost messages; default {jobs.REQUEUE_AFTER} s). Jobs whose worker died are "
                                 "sent again once older than SMARTCROP_TASK_TIME_LIMIT.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        if options["model_version"] and options["missing_only"]:
            raise CommandError("--model-version selects analysed rows; it cannot be combined with --missing-only")
        try:
            targets = recompute.find_targets(options["labels"])
            warm = recompute.parse_warm(options["warm"])
        except (LookupError, ValueError, RatioError) as error:
            raise CommandError(str(error)) from error
        if not targets:
            self.stdout.write("No SmartCropImageField found.")
            return
        if options["status"]:
            return self._status(targets)
        problem = model_problem()
        if problem is not None and not options["dry_run"]:
            raise CommandError(f"the saliency model cannot be used, so nothing was recomputed: {problem}. "
                               "Fix it first (manage.py check shows django_smartcrop.E010).")
        mode = "all" if options["all"] else "missing" if options["missing_only"] else "stale"
        if options["enqueue"]:
            return self._enqueue(targets, mode, options)
        if options["dry_run"]:
            return self._recompute(targets, mode, warm, options)
        try:
            with recompute.exclusive():
                self._recompute(targets, mode, warm, options)
        except recompute.AlreadyRunning as error:
            raise CommandError(str(error)) from None

    def _recompute(self, targets: list, mode: str, warm: list, options: dict[str, Any]) -> None:
        bar = None
        try:
            total = recompute.count(targets)
            bar = tqdm(total=total, unit="row", file=getattr(self.stderr, "_out", self.stderr),
                       disable=options["verbosity"] < 1, dynamic_ncols=True)
            report = recompute.run(targets, mode=mode, model_version=options["model_version"],  # type: ignore[arg-type]
                                   chunk_size=options["chunk_size"], dry_run=options["dry_run"], warm=warm,
                                   progress=bar.update)
        except DatabaseError as error:
            # e.g. SQLite's "database is locked": every row finished so far is saved (one update per row),
            # crop files are written before they are registered, so a re-run picks up exactly the rest.
            done = bar.n if bar is not None else 0
            raise CommandError(f"database error after {done} row(s): {error}. The rows done so far are saved; "
                               "run the command again to continue.") from error
        finally:
            if bar is not None:
                bar.close()
        self._failures(report.failures)
        verb = "would recompute" if options["dry_run"] else "recomputed"
        count = report.selected if options["dry_run"] else report.recomputed
        summary = (f"{len(targets)} field(s), {report.seen} row(s) with files: {verb} {count}, "
                   f"{len(report.failures)} failed")
        if warm and not options["dry_run"]:
            summary += f", {report.warmed} crop(s) warmed"
        if report.swept:
            summary += f", {report.swept} temporary file(s) of interrupted writes removed"
        self.stdout.write(self.style.SUCCESS(summary + "."))

    def _enqueue(self, targets: list, mode: str, options: dict[str, Any]) -> None:
        if conf.setting("TASK_BACKEND") != "celery" or tasks.analyse_rows_task is None:
            raise CommandError("--enqueue sends jobs to Celery: install celery and set SMARTCROP_TASK_BACKEND = "
                               "'celery' (workers run 'celery -A yourproject worker').")
        if options["dry_run"]:
            raise CommandError("--enqueue cannot be combined with --dry-run (use --dry-run alone to count rows)")
        task = tasks.analyse_rows_task
        with task.app.producer_or_acquire() as producer:
            def send(label: str, items: list[list[str]], warm: str) -> None:
                task.apply_async((label, items, warm), producer=producer)

            report = jobs.enqueue(targets, send, mode=mode, model_version=options["model_version"],  # type: ignore[arg-type]
                                  chunk_size=options["chunk_size"], warm=options["warm"] or "",
                                  requeue_after=options["requeue_after"])
        self.stdout.write(self.style.SUCCESS(
            f"{len(targets)} field(s), {report.seen} row(s) with files: enqueued {report.sent} in "
            f"{report.messages} job(s) ({report.requeued} whose earlier job died), "
            f"{report.already_queued} already queued."))

    def _status(self, targets: list) -> None:
        status = jobs.status(targets)
        counts = status.counts
        self._failures(status.failures)
        self.stdout.write(
            f"{len(targets)} field(s), {sum(counts.values())} row(s) with files: {counts['ok']} ok, "
            f"{counts['failed']} failed, {counts['pending']} pending ({status.queued} queued by --enqueue), "
            f"{counts['stale']} stale (another model), {counts['missing']} never analysed.")

    def _failures(self, failures: list) -> None:
        if failures:
            self.stdout.write(self.style.WARNING(f"{len(failures)} file(s) failed:"))
            for failure in failures:
                self.stdout.write(f"  {failure}")
