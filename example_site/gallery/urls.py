from django.urls import path

from . import views

app_name = "gallery"
urlpatterns = [
    path("", views.index, name="index"),
    path("overlay/<int:pk>/", views.overlay, name="overlay"),
    path("audit/", views.run_audit, name="audit"),
]
