from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "tests.django_smartcrop.testapp"
    label = "smartcrop_testapp"
    default_auto_field = "django.db.models.BigAutoField"
