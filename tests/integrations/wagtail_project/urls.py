from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from . import views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("photo/<int:pk>/", views.photo),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),  # a test site: DEBUG is off
    path("", include(wagtail_urls)),
]
