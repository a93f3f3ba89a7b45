"""django_smartcrop: saliency-aware crops for Django, computed once at upload.

Add ``"django_smartcrop"`` to ``INSTALLED_APPS``, use :class:`django_smartcrop.fields.SmartCropImageField`
with a companion ``JSONField``, include ``django_smartcrop.urls`` and render crops with
``{% load smartcrop %}{% smartcrop obj.image "16:9" width=800 %}``.

Nothing heavy is imported here, so importing the package never needs configured settings.
"""

__all__: list[str] = []
