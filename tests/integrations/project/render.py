"""Render a source photo through one library's own template tags; print JSON with the files made.

Run as ``python -m tests.integrations.project.render NAME`` with the settings' environment variables
set: NAME is the file under MEDIA_ROOT. Output: {"smart": path, "small": path, "default": path,
"model_runs": n} or {"error": "ExceptionType"} when the library raised.
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.integrations.project.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.template import Context, Template  # noqa: E402

from testsupport.model_runs import count_model_runs  # noqa: E402

TEMPLATES = {
    "imagekit": {
        "smart": "{% load imagekit %}{% generateimage 'tests:smart' source=photo as th %}{{ th.url }}",
        "small": "{% load imagekit %}{% generateimage 'tests:small' source=photo as th %}{{ th.url }}",
        "default": "{% load imagekit %}{% generateimage 'tests:default' source=photo as th %}{{ th.url }}",
    },
    "easy_thumbnails": {
        "smart": '{% load thumbnail %}{% thumbnail photo 200x200 crop="smart" as th %}{{ th.url }}',
        "small": '{% load thumbnail %}{% thumbnail photo 100x150 crop="saliency" as th %}{{ th.url }}',
        "default": '{% load thumbnail %}{% thumbnail photo 200x200 crop as th %}{{ th.url }}',
    },
    "sorl": {
        "smart": "{% load thumbnail %}{% thumbnail photo '200x200' crop='smart' as th %}{{ th.url }}{% endthumbnail %}",
        "small": "{% load thumbnail %}{% thumbnail photo '100x150' crop='smart' as th %}{{ th.url }}{% endthumbnail %}",
        "default": "{% load thumbnail %}{% thumbnail photo '200x200' crop='center' as th %}{{ th.url }}{% endthumbnail %}",
    },
}


def main(name: str) -> None:
    call_command("migrate", verbosity=0, run_syncdb=True)
    if settings.LIBRARY == "imagekit":
        from . import specs  # noqa: F401  (registers the specs)
    runs = count_model_runs()
    result = {}
    with default_storage.open(name) as opened:
        # imagekit takes a file; easy-thumbnails and sorl take the storage name, as from a model field
        photo = opened if settings.LIBRARY == "imagekit" else name
        for key, text in TEMPLATES[settings.LIBRARY].items():
            try:
                url = Template(text).render(Context({"photo": photo})).strip()
            except Exception as error:  # the library's usual failure, reported for comparison
                print(json.dumps({"error": type(error).__name__}))
                return
            result[key] = os.path.join(settings.MEDIA_ROOT, url[len(settings.MEDIA_URL):]) if url else ""
    result["model_runs"] = runs[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
