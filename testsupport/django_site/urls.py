from django.contrib import admin
from django.urls import include, path

from .testapp import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("smartcrop/", include("django_smartcrop.urls")),
    path("upload/", views.upload, name="upload"),
    path("photo/<int:pk>/", views.photo, name="photo"),
]
