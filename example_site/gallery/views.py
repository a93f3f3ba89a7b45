"""The showcase: upload form (with progress when JavaScript runs), and per photo its crops per ratio next
to a centre crop, the debug overlay, and a link to the admin editor."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.urls import reverse

from . import audit, overlays
from .forms import UploadForm
from .models import Photo
from .showcase import gallery_summary, photo_view

RATIOS = ("16:9", "1:1", "4:5", "9:16")


def index(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if request.method == "POST":
        if form.is_valid():
            photo = form.save()
            return JsonResponse({"ok": True, "pk": photo.pk}) if wants_json else redirect("gallery:index")
        if wants_json:  # one line per problem, for the upload script to show
            errors = [f"{form.fields[name].label or name}: {message}" if name != "__all__" else message
                      for name, messages in form.errors.items() for message in messages]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
    views = [photo_view(photo, RATIOS, reverse("gallery:overlay", args=[photo.pk])) for photo in Photo.objects.all()[:50]]
    context = {"form": form, "views": views, "ratios": RATIOS, "summary": gallery_summary(views),
               "audit": audit.latest(), "audit_faces": audit.faces_available()}
    return render(request, "gallery/index.html", context, status=400 if form.errors else 200)


def overlay(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the overlay once (the page links the file itself afterwards), then redirect to it."""
    photo = get_object_or_404(Photo, pk=pk)
    state = photo.image.smartcrop
    if state is None or not state.analysis:
        raise Http404("no analysis for this image")
    name = overlays.overlay_name(photo.pk, state, RATIOS)
    try:
        url = overlays.ensure(photo.image, state, name, RATIOS)
    except OSError as error:
        raise Http404(str(error)) from None
    return redirect(url)


@require_POST
def run_audit(request: HttpRequest) -> HttpResponse:
    """Audit the gallery's photos now (seconds for the example's 50 photos at most), then show the page."""
    audit.run()
    return redirect(reverse("gallery:index") + "#audit")
