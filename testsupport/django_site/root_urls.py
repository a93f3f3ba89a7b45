"""django_smartcrop's URLs included at the root (for the media checks' URL-collision test)."""

from django.urls import include, path

urlpatterns = [path("", include("django_smartcrop.urls"))]
