from django.db import models

from django_smartcrop.fields import SmartCropImageField


class Photo(models.Model):
    title = models.CharField(max_length=100, blank=True)
    image = SmartCropImageField(upload_to="gallery", saliency_field="saliency")
    saliency = models.JSONField(null=True, blank=True, editable=False)
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded", "-pk"]

    def __str__(self) -> str:
        return self.title or self.image.name
