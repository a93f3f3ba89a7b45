"""A plain upload form and a page that renders the tags: what a site would write."""

from django import forms
from django.shortcuts import get_object_or_404, redirect, render

from .models import Photo


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = ["title", "image"]


def upload(request):
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.save()
        return redirect("photo", pk=photo.pk)
    return render(request, "testapp/upload.html", {"form": form}, status=400 if form.errors else 200)


def photo(request, pk):
    return render(request, "testapp/photo.html", {"photo": get_object_or_404(Photo, pk=pk)})
