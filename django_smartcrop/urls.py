"""Include with ``path("smartcrop/", include("django_smartcrop.urls"))``."""

from django.urls import path

from . import views

app_name = "django_smartcrop"

urlpatterns = [
    path("c/<str:model>/<str:pk>/<str:field>/<str:ratio>/<str:size>/<str:signature>/", views.crop, name="crop"),
]
