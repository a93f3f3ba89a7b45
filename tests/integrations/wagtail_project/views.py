"""A page rendering a photo through Wagtail's own ``{% image %}`` tag, with fill and smartfill."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines

from .photos.models import Photo

PAGE = """{% load wagtailimages_tags %}
{% image photo fill-200x200 id="fill" %}
{% image photo smartfill-100x150 id="smartfill" %}"""


def photo(request, pk):
    image = get_object_or_404(Photo, pk=pk)
    return HttpResponse(engines["django"].from_string(PAGE).render({"photo": image}, request))
