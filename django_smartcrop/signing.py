"""Signed crop URLs: only sizes a template asked for can be rendered by the crop view.

The URL path names the row, field, ratio and size in clear text and ends with an HMAC of all of them
(Django's Signer: SECRET_KEY, a fixed salt). The view checks it before touching the database or storage,
so guessed or edited URLs cost one HMAC and get a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.signing import Signer
from django.urls import reverse
from django.utils.crypto import constant_time_compare

_SALT = "django_smartcrop.crop-url"


@dataclass(frozen=True)
class CropRequest:
    """The parts of a crop URL."""

    model: str  # "app_label.modelname"
    pk: str
    field: str
    ratio: str  # URL form: "16x9"
    size: str  # "w800", "h600" or "full"

    @property
    def payload(self) -> str:
        return "/".join((self.model, self.pk, self.field, self.ratio, self.size))


def signature(request: CropRequest) -> str:
    return Signer(salt=_SALT).signature(request.payload)


def is_valid(request: CropRequest, given: str) -> bool:
    return constant_time_compare(signature(request), given)


def crop_url(request: CropRequest) -> str:
    """The signed, relative URL of the crop view for this request."""
    return reverse(
        "django_smartcrop:crop",
        kwargs={"model": request.model, "pk": request.pk, "field": request.field, "ratio": request.ratio,
                "size": request.size, "signature": signature(request)},
    )


def ratio_to_url(label: str) -> str:
    return label.replace(":", "x")


def ratio_from_url(text: str) -> str:
    return text.replace("x", ":")
