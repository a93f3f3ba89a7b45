"""Saliency crops inside the thumbnail libraries Django sites already use (issue 17).

One module per library, each a thin adapter over the public ``smartcrop_core`` API and ``cache``:

- ``imagekit``: ``SaliencyCrop(width, height)`` for django-imagekit specs and ``ProcessedImageField``;
- ``easy_thumbnails``: a processor for ``THUMBNAIL_PROCESSORS`` (``crop="smart"`` / ``crop="saliency"``);
- ``sorl``: a ``THUMBNAIL_ENGINE`` whose ``crop="smart"`` uses saliency;
- ``wagtail``: ``SaliencyFocalPointMixin`` for a custom image model, and ``smartfill-WxH`` (this
  package is then an installed app, for its ``wagtail_hooks``).

See docs/integrations.md. Nothing here is imported by ``django_smartcrop`` itself.
"""
