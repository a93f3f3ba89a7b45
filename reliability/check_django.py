"""Every corpus file through a real Django upload, page render and crop requests; count the outcomes.

    .venv/bin/python -m reliability.check_django [--seed 0] [--every N] [--limit N] [--json] [--timeout S]

It runs the test site (``testsupport.django_site``: a ModelForm over a ``SmartCropImageField``, a page that
renders the ``{% smartcrop %}`` tags and filters, the signed crop view) on a fresh SQLite file and a
``FileSystemStorage`` folder in a temporary directory, with the shipped model and the synchronous backend.

For each file:

1. **Upload** through the form with Django's test client (multipart POST, the real view, the real form).
   Django's own ``forms.ImageField`` decides whether a file is an image; it is asked separately, on the
   same bytes, and our form must agree with it exactly:
   - Django refuses the file -> a clean form error (HTTP 400): no row, no stored file. Not a loss.
   - Django accepts it -> the upload is saved (HTTP 302), the stored file is byte-identical to what was
     sent, and the companion JSON holds either an analysis (``ok``) or the recorded error (``error``).
   Files Django refuses are then also saved **through the model field directly** (as an import script or
   an API that skips form validation would), so the field and the page see every one of the corpus files.
2. **Page**: the photo page is rendered (HTTP 200) and every crop URL on it is requested. An analysed
   image gets its saliency boxes; a failed analysis with a readable size gets centre boxes (checked);
   a file whose size cannot be read links to the original. Each crop request answers 302 to a complete
   crop file (decodes fully, has the ratio) or, when the source pixels cannot be decoded, to the original.
   Files marked ``"ok"`` in the corpus must be analysed (status ``ok``).

Anything else is a failure: a 500, an exception escaping the view or the template, a lost or altered
upload, a crop file that does not decode, a temporary file left behind, a wrong box source. A watchdog
(``faulthandler``) ends the run if one file takes longer than ``--timeout`` seconds. Exit code 1 on any
failure. The regular test run (tests/django_smartcrop/test_corpus_django.py) runs a subset of the same
checks; this script runs all of them.
"""

from __future__ import annotations

import argparse
import collections
import faulthandler
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from .memory import peak_rss_mb
from .corpus import Sample, samples

RATIOS_ON_PAGE = ("16:9", "1:1", "4:5", "9:16")
_URL = re.compile(r'(?:src|href)="([^"]+)"|srcset="([^"]+)"')


@dataclass
class Outcome:
    """What happened to one corpus file."""

    name: str
    kind: str
    expect: str
    django_accepts: bool  # Django's own forms.ImageField verdict on the bytes
    route: str  # "form" (uploaded and saved), "form error" (refused by the form, then saved directly)
    status: str | None = None  # the companion JSON's status after saving
    error: str | None = None  # the recorded saliency error
    page: str = ""  # "saliency crops", "centre crops", "original"
    crops_made: int = 0  # crop requests answered with a crop file
    originals_served: int = 0  # crop requests answered with the original (source pixels undecodable)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """One line for the outcome counts."""
        if self.route == "form":
            saved = "uploaded; analysed" if self.status == "ok" else "uploaded; error recorded"
        else:
            saved = "form error (Django: not an image); saved directly; " + (
                "analysed" if self.status == "ok" else "error recorded")
        served = self.page
        if self.page == "centre crops" and self.originals_served and not self.crops_made:
            served = "centre-crop links, source undecodable: original served"
        return f"{saved}; page: {served}"


def django_accepts(sample: Sample) -> bool:
    """Whether Django's own ``forms.ImageField`` accepts these bytes (its Pillow open + verify)."""
    from django import forms
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    try:
        forms.ImageField().clean(SimpleUploadedFile(sample.name, sample.data))
    except ValidationError:
        return False
    return True


def stored_files(media_root: Path) -> set[str]:
    return {str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()}


def check_sample(client: Any, sample: Sample, media_root: Path) -> Outcome:
    """Upload one corpus file, render its page, request its crops; the outcome with any failures."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from testsupport.django_site.testapp.models import Photo

    start = time.perf_counter()
    accepts = django_accepts(sample)
    outcome = Outcome(sample.name, sample.kind, sample.expect, accepts, "form")
    before_rows = set(Photo.objects.values_list("pk", flat=True))
    before_files = stored_files(media_root)
    upload = SimpleUploadedFile(sample.name, sample.data, "application/octet-stream")
    try:
        response = client.post(reverse("upload"), {"title": "fuzz", "image": upload})
    except Exception as error:  # noqa: BLE001 - an escaping exception is what we look for
        outcome.failures.append(f"upload raised {type(error).__name__}: {error}")
        return outcome
    new_rows = set(Photo.objects.values_list("pk", flat=True)) - before_rows
    if response.status_code == 400:
        if accepts:
            outcome.failures.append("LOST: Django's ImageField accepts the file but the upload was refused")
        if new_rows or stored_files(media_root) != before_files:
            outcome.failures.append("a refused upload left a row or a file behind")
        if "image" not in _form_errors(response):
            outcome.failures.append("refused without a form error on the image field")
        outcome.route = "form error"
        item = Photo(title="direct")  # what an import script or an API without form validation does
        try:
            item.image.save(sample.name, ContentFile(sample.data), save=True)
        except Exception as error:  # noqa: BLE001
            outcome.failures.append(f"saving through the model field raised {type(error).__name__}: {error}")
            return outcome
        pk = item.pk
    elif response.status_code == 302:
        if not accepts:
            outcome.failures.append("the form accepted a file Django's ImageField refuses")
        if len(new_rows) != 1:
            outcome.failures.append(f"an accepted upload made {len(new_rows)} rows")
            return outcome
        (pk,) = new_rows
    else:
        outcome.failures.append(f"upload answered {response.status_code}")
        return outcome
    _check_saved(client, Photo.objects.get(pk=pk), sample, media_root, outcome)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _form_errors(response: Any) -> dict[str, Any]:
    """The form's errors from the rendered template's context (the test client records it)."""
    form = (response.context or {}).get("form")
    return dict(form.errors) if form is not None else {}



def _fetch(client: Any, url: str, what: str, status: int, outcome: Any) -> Any:
    """``client.get(url)`` if it answers ``status``; otherwise the failure is recorded and None returned."""
    try:
        answer = client.get(url)
    except Exception as error:  # noqa: BLE001 - any exception from a request is exactly what we look for
        outcome.failures.append(f"{what} raised {type(error).__name__}: {error}")
        return None
    if answer.status_code != status:
        outcome.failures.append(f"{what} answered {answer.status_code}")
        return None
    return answer

def _check_saved(client: Any, item: Any, sample: Sample, media_root: Path, outcome: Outcome) -> None:
    from PIL import Image

    stored = media_root / item.image.name
    if not stored.is_file() or stored.read_bytes() != sample.data:
        outcome.failures.append(f"LOST: the stored file {item.image.name} is missing or not byte-identical")
    state = item.image.smartcrop
    if state is None or state.name != item.image.name:
        outcome.failures.append("no saliency state recorded for the saved file")
        return
    outcome.status, outcome.error = state.status, state.error
    if state.status not in ("ok", "error"):
        outcome.failures.append(f"status {state.status!r} after a synchronous save")
    if state.status == "error" and not state.error:
        outcome.failures.append("status error without an error message")
    if sample.expect == "ok" and state.status != "ok":
        outcome.failures.append(f"a valid image was not analysed: {state.error}")

    page = _fetch(client, f"/photo/{item.pk}/", "the page", 200, outcome)
    if page is None:
        return
    urls = _page_urls(page.content.decode())
    original = item.image.url
    if not state.has_size:
        outcome.page = "original"
        if not urls or any(url != original for url in urls):
            outcome.failures.append(f"a file without a readable size must show the original: {urls}")
        return
    sources = {state.box(ratio)[1] for ratio in RATIOS_ON_PAGE}  # type: ignore[index]
    expected = {"auto"} if state.status == "ok" else {"centre"}
    if sources != expected:
        outcome.failures.append(f"box sources {sources}, expected {expected}")
    outcome.page = "saliency crops" if state.status == "ok" else "centre crops"
    for url in urls:
        if url == original:
            outcome.failures.append("a measured image links the original instead of a crop")
            continue
        location = url
        if url.startswith("/smartcrop/c/"):
            answer = _fetch(client, url, "the crop view", 302, outcome)
            if answer is None:
                continue
            location = answer["Location"]
            if location == original:
                outcome.originals_served += 1
                if state.status == "ok":
                    outcome.failures.append("an analysed image's crop fell back to the original")
                continue
        ratio = re.search(r"-(\d+)x(\d+)-\d+x\d+-[0-9a-f]{20}\.\w+$", location)
        path = media_root / location.removeprefix("/media/")
        try:
            with Image.open(path) as crop:
                crop.load()
                width, height = crop.size
        except Exception as error:  # noqa: BLE001
            outcome.failures.append(f"crop file {location} does not decode: {type(error).__name__}: {error}")
            continue
        outcome.crops_made += 1
        if ratio is None:
            outcome.failures.append(f"unexpected crop name {location}")
        elif min(width, height) > 2 and abs(width / height - int(ratio[1]) / int(ratio[2])) > 1.5 / min(width, height):
            outcome.failures.append(f"crop {location} is {width}x{height}")
    leftovers = [p for p in media_root.rglob(".smartcrop-*")]
    if leftovers:
        outcome.failures.append(f"temporary files left behind: {leftovers}")


def _page_urls(html: str) -> list[str]:
    urls: list[str] = []
    for single, srcset in _URL.findall(html):
        if single:
            urls.append(single.replace("&amp;", "&"))
        else:
            urls += [part.split()[0] for part in srcset.split(", ")]
    return urls


def subset(corpus: Iterable[Sample], every: int = 10, per_kind: int = 3) -> Iterator[Sample]:
    """A deterministic part of the corpus: every ``every``-th file, every "ok" file, each kind ``per_kind`` times."""
    seen: collections.Counter[str] = collections.Counter()
    for index, sample in enumerate(corpus):
        if index % every == 0 or sample.expect == "ok" or seen[sample.kind] < per_kind:
            seen[sample.kind] += 1
            yield sample


# -- the script ---------------------------------------------------------------------------------------


def configure(workdir: Path) -> Path:
    """Django on the test site with a fresh SQLite file and media folder in ``workdir``; returns MEDIA_ROOT."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testsupport.django_site.settings")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("SMARTCROP_THREADS", "1")
    import django
    from django.conf import settings

    media = workdir / "media"
    media.mkdir()
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": workdir / "db.sqlite3"}}
    settings.MEDIA_ROOT = str(media)
    settings.LOGGING_CONFIG = None  # saliency warnings for 500 broken files would drown the report
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then records each response's template context

    call_command("migrate", run_syncdb=True, verbosity=0)  # the test app has no migrations
    return media


def run(seed: int = 0, every: int = 1, timeout: float = 60.0, limit: int | None = None) -> dict[str, Any]:
    import logging
    import warnings

    from django.test import Client

    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")  # Pillow's decoder warnings on broken files
    with tempfile.TemporaryDirectory(prefix="smartcrop-django-check-") as folder:
        media = configure(Path(folder))
        client = Client()
        corpus = list(samples(seed))
        chosen = (list(subset(corpus, every)) if every > 1 else corpus)[:limit]
        outcomes: list[Outcome] = []
        started = time.perf_counter()
        for sample in chosen:
            faulthandler.dump_traceback_later(timeout, exit=True)  # a hang ends the run, with a traceback
            outcomes.append(check_sample(client, sample, media))
            faulthandler.cancel_dump_traceback_later()
        elapsed = time.perf_counter() - started
        crop_files = [p for p in media.glob("smartcrop/**/*") if p.is_file()]
        from django_smartcrop.models import Crop

        registry = Crop.objects.count()
    seconds = sorted(o.seconds for o in outcomes)
    slowest = max(outcomes, key=lambda o: o.seconds)
    return {
        "files": len(outcomes),
        "corpus_files": len(corpus),
        "uploads_saved": sum(o.route == "form" for o in outcomes),
        "form_errors": sum(o.route == "form error" for o in outcomes),
        "outcomes": dict(sorted(collections.Counter(o.label for o in outcomes).items())),
        "by_kind": {kind: dict(sorted(collections.Counter(o.label for o in outcomes if o.kind == kind).items()))
                    for kind in dict.fromkeys(o.kind for o in outcomes)},
        "crop_requests": {"crop file": sum(o.crops_made for o in outcomes),
                          "original served": sum(o.originals_served for o in outcomes)},
        "crop_files": len(crop_files),
        "crop_registry_rows": registry,
        "failures": [f"{o.name}: {failure}" for o in outcomes for failure in o.failures],
        "seconds_total": round(elapsed, 1),
        "seconds_per_file": {"p50": round(seconds[len(seconds) // 2], 3),
                             "p99": round(seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))], 3),
                             "max": round(slowest.seconds, 3), "slowest": slowest.name},
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--every", type=int, default=1, help="only the regular test's subset (every Nth file, "
                        "all valid files, each kind 3 times); 1 = the whole corpus (default)")
    parser.add_argument("--limit", type=int, help="stop after this many files (a quick smoke run)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one file may take (default 60)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.seed, args.every, args.timeout, args.limit)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"{report['files']} of {report['corpus_files']} corpus files; failures: {len(report['failures'])}; "
              f"{report['seconds_total']} s; per file {report['seconds_per_file']}; "
              f"peak RSS {report['peak_rss_mb']} MB")
        for line, count in report["outcomes"].items():
            print(f"  {count:4d}  {line}")
        print(f"crop requests: {report['crop_requests']}; crop files {report['crop_files']}, "
              f"registry rows {report['crop_registry_rows']}")
        for failure in report["failures"]:
            print(f"  FAIL {failure}")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
