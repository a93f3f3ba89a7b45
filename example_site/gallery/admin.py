from django.contrib import admin

from django_smartcrop.admin import crop_thumbnail, manual_crops

from .models import Photo


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = [crop_thumbnail("image"), "__str__", manual_crops("image"), "uploaded"]
    list_display_links = ["__str__"]
