"""``manage.py smartcrop_cleanup``: delete generated crops that no row produces any more."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import cleanup, recompute


class Command(BaseCommand):
    help = (
        "Delete generated crops nothing serves any more: crops of files no SmartCropImageField row holds "
        "(deleted rows, replaced files), and crops a row's current state no longer makes (moved box, new "
        "model, other format or quality). Also removes temporary files of interrupted writes. With labels, "
        "only crops of files those fields' rows still hold are checked: crops of deleted rows cannot be "
        "traced to a field, so they are deleted only by a run without labels."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("labels", nargs="*", metavar="app_label[.Model[.field]]",
                            help="Limit to crops of files these apps, models or fields hold (default: all crops).")
        parser.add_argument("--chunk-size", type=int, default=100, metavar="N",
                            help="Registry rows per query (default 100).")
        parser.add_argument("--dry-run", action="store_true", help="List what would be deleted; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        try:
            selected = recompute.find_targets(options["labels"]) if options["labels"] else None
        except (LookupError, ValueError) as error:
            raise CommandError(str(error)) from error
        if selected == []:
            self.stdout.write("No SmartCropImageField found.")
            return
        dry_run = options["dry_run"]

        def notify(name: str, reason: str) -> None:
            if dry_run or options["verbosity"] >= 2:
                self.stdout.write(f"  {'would delete' if dry_run else 'deleting'} {name} ({reason})")

        report = cleanup.run(selected, dry_run=dry_run, chunk_size=options["chunk_size"], notify=notify)
        if report.failures:
            self.stdout.write(self.style.WARNING(f"{len(report.failures)} crop(s) could not be deleted:"))
            for name, error in report.failures:
                self.stdout.write(f"  {name}: {error}")
        verb = "would delete" if dry_run else "deleted"
        summary = f"{report.checked} crop(s) checked: {verb} {report.deleted}, {len(report.failures)} failed"
        if report.swept:
            summary += f", {report.swept} temporary file(s) of interrupted writes removed"
        self.stdout.write(self.style.SUCCESS(summary + "."))
