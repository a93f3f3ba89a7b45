from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("smartcrop/", include("django_smartcrop.urls")),
    path("", include("example_site.gallery.urls")),
]

if getattr(settings, "EXAMPLE_SERVE_MEDIA", False):
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
