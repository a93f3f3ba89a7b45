from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("smartcrop/", include("django_smartcrop.urls")),
    path("", include("example_site.gallery.urls")),
]


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """MEDIA_ROOT read per request (tests move it); a real site lets its web server do this."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# In development the example serves its media folder itself, as the README's install steps do with
# static(); EXAMPLE_SERVE_MEDIA keeps that on for the tests, which run with DEBUG off.
if settings.DEBUG or getattr(settings, "EXAMPLE_SERVE_MEDIA", False):
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve_media))
