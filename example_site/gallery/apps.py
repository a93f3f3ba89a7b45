from django.apps import AppConfig


class GalleryConfig(AppConfig):
    name = "example_site.gallery"
    label = "gallery"
    verbose_name = "Gallery"
    default_auto_field = "django.db.models.BigAutoField"
