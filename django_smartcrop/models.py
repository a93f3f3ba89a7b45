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
