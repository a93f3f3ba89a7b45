import os

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "testsupport.django_site.testapp"
    label = "smartcrop_testapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        if os.environ.get("SMARTCROP_TEST_LEDGER"):
            from django_smartcrop.signals import analysis_stored

            analysis_stored.connect(_record, weak=False, dispatch_uid="smartcrop_test_ledger")


def _record(sender, pk, field, state, **kwargs) -> None:
    from .models import AnalysisRecord

    AnalysisRecord.objects.create(row_pk=str(pk), file_name=state.name, pid=os.getpid())
