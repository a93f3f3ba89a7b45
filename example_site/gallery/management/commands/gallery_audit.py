"""``manage.py gallery_audit``: the crop audit of the gallery's photos, shown on the example page."""

from django.core.management.base import BaseCommand, CommandError

from ... import audit


class Command(BaseCommand):
    help = "Run `smartcrop audit focus` on the gallery's uploads; the report appears on the example page."

    def handle(self, *args, **options):
        code = audit.run()
        if code != 0:
            raise CommandError(f"the audit failed (exit code {code}); see the message above")
        summary = audit.latest()
        plural = "" if summary.analysed == 1 else "s"
        self.stdout.write(f"audit of {summary.analysed} photo{plural} written: {summary.report_url}")
