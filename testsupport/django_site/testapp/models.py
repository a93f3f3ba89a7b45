"""Models the tests use: a plain photo, and one with its own ratios and dimension fields."""

from django.db import models

from django_smartcrop.fields import SmartCropImageField


class Photo(models.Model):
    title = models.CharField(max_length=100, blank=True)
    image = SmartCropImageField(upload_to="photos", saliency_field="saliency", blank=True)
    saliency = models.JSONField(null=True, blank=True, editable=False)


class Banner(models.Model):
    image = SmartCropImageField(upload_to="banners", saliency_field="crops", ratios=["3:1", "1:1"],
                                width_field="width", height_field="height")
    crops = models.JSONField(null=True, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)


class AnalysisRecord(models.Model):
    """One row per stored analysis (written by the receiver in apps.py, in the storing transaction) when
    SMARTCROP_TEST_LEDGER is set: lets the Celery tests count analyses per row across processes."""

    row_pk = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    pid = models.IntegerField()
