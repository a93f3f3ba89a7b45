"""The Wagtail test site's commands, each run in a fresh process by the tests:

    setup                 migrate, create the admin user (admin / smartcrop-test)
    render FILE           add FILE as an image through the ORM (as any upload), render the page, then let
                          an "editor" set the focal point at the left and render again
    show                  the newest image's focal point and its page's renditions
    serve PORT            Django's server for the browser test

Output is one JSON line; files are paths under MEDIA_ROOT.
"""

import json
import os
import re
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.integrations.wagtail_project.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.images import ImageFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from wagtail.images.rect import Rect  # noqa: E402

from django_smartcrop.integrations.wagtail import image_analysis  # noqa: E402
from tests.integrations.wagtail_project.photos.models import Photo  # noqa: E402
from testsupport.django_site.storage import CountingStorage  # noqa: E402
from testsupport.model_runs import count_model_runs  # noqa: E402

USER, PASSWORD = "admin", "smartcrop-test"


def page(image: Photo) -> dict:
    html = Client().get(f"/photo/{image.pk}/").content.decode()
    found = dict(re.findall(r'id="(\w+)" src="/media/([^"]+)"', html))  # Wagtail sorts the attributes
    focal = [image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height]
    return {"pk": image.pk, "focal": focal, **{k: os.path.join(settings.MEDIA_ROOT, v) for k, v in found.items()}}


def render(path: str) -> dict:
    runs = count_model_runs()
    with open(path, "rb") as file:
        image = Photo(title="face")
        image.file.save(os.path.basename(path), ImageFile(file, name=os.path.basename(path)), save=False)
        image.save()
    image.refresh_from_db()
    automatic = page(image)
    CountingStorage.reset()
    if not settings.PLAIN:
        image_analysis(Photo.objects.get(pk=image.pk))  # what every later smartfill rendition asks for
    original_reads = [call for call in CountingStorage.io_calls() if call[0] == "open"]
    image.set_focal_point(Rect(100, 100, 200, 200))  # an editor's, on the empty left of the picture
    image.save()
    image.refresh_from_db()
    return {"automatic": automatic, "editor": page(image), "model_runs": runs[0],
            "cached_analysis_reads": len(original_reads)}


def main(command: str, *args: str) -> None:
    if command == "setup":
        call_command("migrate", verbosity=0, run_syncdb=True)
        from django.contrib.auth.models import User

        User.objects.create_superuser(USER, "admin@example.com", PASSWORD)
        print(json.dumps({"ok": True}))
    elif command == "render":
        print(json.dumps(render(args[0])))
    elif command == "show":
        image = Photo.objects.order_by("-pk").first()
        print(json.dumps(page(image) if image else {}))
    elif command == "serve":
        call_command("runserver", f"127.0.0.1:{args[0]}", use_reloader=False, use_threading=True,
                     insecure_serving=True)  # Wagtail admin static files with DEBUG off


if __name__ == "__main__":
    main(*sys.argv[1:])
