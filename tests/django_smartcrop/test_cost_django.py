"""The costly hostile inputs (reliability.hostile) through Django: upload, page and every crop request,
each case in its own process under an address-space cap, within a CPU-time and a memory budget.

The child loads the site and the model first, then caps its address space and, timed: posts the file
through the test site's upload form (Django's own image check, then our analysis at save; a file the
form refuses is saved through the field directly, as an import script would), renders the photo page,
requests every crop URL on it (plus, for the cases that ask for an output size, that size), then
requests them all again: a crop that could not be made must be remembered (no second decode).
Budgets as the core's cost check: 5 s of CPU per request (the upload, the page, each crop request)
and 1 GB of peak resident memory for the whole case. A page's crops each decode the source once: for
an 89 MP float TIFF, its 6 crops together cost about 6 s of CPU (docs/reliability-django.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reliability.hostile import cases

from .sites import REPO, SETTINGS, child_env, make_template_db

SECONDS, MEMORY_MB, CAP_MB = 5.0, 1024, 2048

CHILD = r"""
import json, re, resource, sys, time, warnings
warnings.simplefilter("ignore")
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
import smartcrop_core
from django_smartcrop.signing import CropRequest, crop_url, ratio_to_url
from testsupport.django_site.testapp.models import Photo

path, options, cap = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
name = path.rsplit("/", 1)[-1]
data = open(path, "rb").read()
smartcrop_core.analyze(Image.new("RGB", (64, 48)))  # model and runtime loaded before timing
client = Client()
client.get("/photo/0/")  # URL resolver and templates loaded
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
start, cpu = time.perf_counter(), time.process_time()
report = {}
try:
    response = client.post("/upload/", {"title": "x", "image": SimpleUploadedFile(name, data)})
    report["upload"] = response.status_code
    if response.status_code != 302:  # refused by the form: an import script saves it anyway
        item = Photo()
        item.image.save(name, ContentFile(data), save=True)
    item = Photo.objects.latest("pk")
    report["upload_cpu_seconds"] = round(time.process_time() - cpu, 2)
    before = time.process_time()
    page = client.get(f"/photo/{item.pk}/")
    page_cpu = time.process_time() - before
    report["page"] = page.status_code
    urls = sorted(set(re.findall(r'/smartcrop/c/[^"\s,]+/', page.content.decode())))
    if "ratio" in options:
        size = f"w{options['width']}" if options.get("width") else "full"
        urls.append(crop_url(CropRequest("smartcrop_testapp.photo", str(item.pk), "image",
                                         ratio_to_url(smartcrop_core.ratio_label(options["ratio"])), size)))
    first, crop_cpu = [], []
    for url in urls:
        before = time.process_time()
        first.append(client.get(url).status_code)
        crop_cpu.append(time.process_time() - before)
    report["page_cpu_seconds"] = round(page_cpu, 2)
    report["crops_cpu_seconds"] = round(sum(crop_cpu), 2)
    report["worst_crop_cpu_seconds"] = round(max(crop_cpu, default=0.0), 2)
    again_cpu = time.process_time()
    again = [client.get(url).status_code for url in urls]
    report["again_cpu_seconds"] = round(time.process_time() - again_cpu, 3)
    report.update(crops=len(urls), statuses=sorted(set(first + again)), state=(item.saliency or {}).get("status"),
                  error=((Photo.objects.get(pk=item.pk).saliency or {}).get("error") or "")[:200])
    outcome = "done"
except BaseException as error:
    outcome = f"{type(error).__name__}: {str(error)[:200]}"
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"outcome": outcome, **report, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                  "peak_rss_mb": round(peak)}))
"""


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    return make_template_db(tmp_path_factory.mktemp("cost-site"))


def _run(case, data: bytes, folder: Path, template: Path) -> dict:
    site = folder / case.name.replace(".", "_")
    (site / "media").mkdir(parents=True)
    shutil.copyfile(template, site / "db.sqlite3")
    source = site / case.name
    source.write_bytes(data)
    extra = {"DJANGO_SETTINGS_MODULE": SETTINGS}
    if "formats" in case.options:
        extra["SMARTCROP_FORMATS"] = case.options["formats"]
    if "max_pixels" in case.options:
        extra["SMARTCROP_MAX_PIXELS"] = str(case.options["max_pixels"])
    command = [sys.executable, "-c", CHILD, str(source), json.dumps(case.options), str(CAP_MB << 20)]
    try:
        done = subprocess.run(command, cwd=REPO, env=child_env(site / "db.sqlite3", site / "media", **extra),
                              capture_output=True, text=True, timeout=4 * SECONDS + 60)
    except subprocess.TimeoutExpired:
        return {"name": case.name, "outcome": "timeout"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"name": case.name, "outcome": "crash: " + (done.stderr.strip().splitlines() or ["?"])[-1]}
    return {"name": case.name, **json.loads(lines[-1])}


#: The regular run: the costliest case of each kind through Django (found with SMARTCROP_COST_CASES=all,
#: which runs every case: about 150 s on the busy 2-core machine); the core's cost check runs them all.
REGULAR = {"progressive-500-repeated-scans-crop64.jpg", "png-16bit-rgba-at-limit.png", "png-palette-at-limit.png",
           "tiff-float32-at-limit-crop-full.tif", "jpeg2000-9216x9216-opted-in-crop-full.j2k", "mpo-48mp.jpg",
           "png-1x89478485-crop.png", "ico-hiding-179mp-png-opted-in.ico", "crop-1x100-width-10000.png",
           "png-ztxt-100mb.png"}


def test_costly_inputs_through_upload_page_and_crops(template_db, tmp_path):
    every = os.environ.get("SMARTCROP_COST_CASES") == "all"
    chosen = [case for case in cases() if every or case.name in REGULAR]
    assert every or len(chosen) == len(REGULAR)
    made = {}
    for case in chosen:
        made.setdefault(id(case.make), (case.make, case.make()))
    with ThreadPoolExecutor(2) as pool:  # budgets are per process and on CPU time: two at once is fair
        reports = list(pool.map(lambda case: _run(case, made[id(case.make)][1], tmp_path, template_db), chosen))
    failures = [r for r in reports if r["outcome"] != "done" or r["peak_rss_mb"] > MEMORY_MB
                or max(r["upload_cpu_seconds"], r["page_cpu_seconds"], r["worst_crop_cpu_seconds"]) > SECONDS
                or r.get("page") != 200 or not set(r["statuses"]) <= {302, 400}
                or r["again_cpu_seconds"] > 0.5]  # the second round: known crops and remembered failures
    assert failures == [], json.dumps(failures, indent=1)
    print(json.dumps(reports, indent=1))
