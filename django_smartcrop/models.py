"""The crop registry table: which crop files exist, so pages never ask storage.

sorl-thumbnail's key-value store idea: one row per generated file, keyed by its deterministic name.
The cache sits in front of it (see renditions.py); the table makes the knowledge survive a cache flush.
"""

from django.db import models


class Crop(models.Model):
    """A generated crop file in the crop storage."""

    name = models.CharField(max_length=255, unique=True)
    source = models.CharField(max_length=255, db_index=True, help_text="Name of the source file it was cut from.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "generated crop"

    def __str__(self) -> str:
        return self.name


class AnalysisJob(models.Model):
    """A row sent to the workers by ``smartcrop_recompute --enqueue`` and not finished yet.

    The token ties the row to the one message that may analyse it: a message redelivered after its
    row was done, or superseded by a re-enqueue, finds no job with its token and does nothing. A
    worker claims its rows (``started``, ``claimed_by``) before analysing them; the job is deleted in
    the transaction that stores the result.
    """

    target = models.CharField(max_length=200, help_text="app_label.Model.field")
    object_pk = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    token = models.CharField(max_length=32)
    enqueued = models.DateTimeField()
    started = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = "queued analysis"
        constraints = [models.UniqueConstraint(fields=["target", "object_pk"], name="smartcrop_one_job_per_row")]

    def __str__(self) -> str:
        return f"{self.target} pk={self.object_pk}"
