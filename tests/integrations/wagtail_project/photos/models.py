"""The custom image model of the test site: Wagtail's AbstractImage with the saliency focal point."""

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition, Image

from django_smartcrop.integrations.wagtail import SaliencyFocalPointMixin


class Photo(SaliencyFocalPointMixin, AbstractImage):
    admin_form_fields = Image.admin_form_fields


class PhotoRendition(AbstractRendition):
    image = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
