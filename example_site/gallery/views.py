"""Upload form + gallery, and the debug overlay (heat map, top point, boxes) of each image."""

import io

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from PIL import Image, ImageOps
from smartcrop_core import ImageError
from smartcrop_core.visualize import overlay as draw_overlay

from .forms import UploadForm
from .models import Photo

RATIOS = ("16:9", "1:1", "4:5", "9:16")
OVERLAY_LONG_SIDE = 480


def index(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("gallery:index")
    context = {"form": form, "photos": Photo.objects.all()[:50], "ratios": RATIOS}
    return render(request, "gallery/index.html", context, status=400 if form.errors else 200)


def overlay(request, pk):
    photo = get_object_or_404(Photo, pk=pk)
    state = photo.image.smartcrop
    analysis = state.core_analysis() if state is not None else None
    if analysis is None:
        raise Http404("no analysis for this image")
    try:
        with photo.image.open("rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
            image.draft("RGB", (OVERLAY_LONG_SIDE, OVERLAY_LONG_SIDE))  # fast reduced JPEG decode
            image = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ImageError) as error:
        raise Http404(str(error)) from None
    image.thumbnail((OVERLAY_LONG_SIDE, OVERLAY_LONG_SIDE))
    picture = draw_overlay(image, analysis, list(RATIOS))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    response = HttpResponse(buffer.getvalue(), content_type="image/jpeg")
    response["Cache-Control"] = "max-age=3600"
    return response
