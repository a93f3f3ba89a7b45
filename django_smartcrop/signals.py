"""Signals a site can listen to.

``analysis_stored`` is sent when an analysis result has been written to a row, inside the transaction
that writes it (a receiver's own writes commit or roll back with it): e.g. to purge a CDN, or to
count analyses. Arguments: ``sender`` (the model class), ``pk``, ``field`` (the SmartCropImageField)
and ``state`` (the stored CropState).
"""

from django.dispatch import Signal

analysis_stored = Signal()
