"""The fuzz corpus through real Django uploads: the form, the field, the page and the crop view.

A deterministic subset of reliability/corpus.py (every 10th file, every valid file, each kind at least
3 times: about 210 of the 1,093 files) goes through ``reliability.check_django.check_sample``, the same
check the full-corpus script runs: an upload the form refuses must be one Django's own ImageField
refuses (a clean form error, nothing stored); an accepted upload is stored byte-identical with an
analysis or a recorded error; the page renders (saliency crops, centre crops or the original) and every
crop request answers with a complete crop file or the original. Never a 500, never an exception.
"""

from __future__ import annotations

import collections

import pytest

from reliability.check_django import check_sample, subset
from reliability.corpus import samples

pytestmark = pytest.mark.django_db

CORPUS = list(samples(0))
SUBSET = list(subset(CORPUS, every=10))
ANALYSED = "uploaded; analysed; page: saliency crops"
NOT_AN_IMAGE = "form error (Django: not an image); saved directly; error recorded; page: original"
BOMB_MEASURED = ("form error (Django: not an image); saved directly; error recorded; page: centre-crop links, "
                 "source undecodable: original served")
#: Inputs that are never images: Django's form refuses them, the field stores them with the error.
NEVER_IMAGES = {"random bytes", "magic + garbage", "empty", "document named as image", "decompression bomb"}


def test_the_subset_is_deterministic_and_covers_every_kind():
    kinds = collections.Counter(s.kind for s in SUBSET)
    assert set(kinds) == {s.kind for s in CORPUS} and min(kinds.values()) >= 3
    assert {s.name for s in CORPUS if s.expect == "ok"} <= {s.name for s in SUBSET}
    assert 150 <= len(SUBSET) <= 260
    assert [s.name for s in subset(samples(0), every=10)] == [s.name for s in SUBSET]


@pytest.fixture(scope="module")
def quiet_decoders():
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's warnings about the broken files themselves
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(logging.NOTSET)


def test_corpus_subset_through_real_uploads(client, media, shipped_model, quiet_decoders):
    outcomes = [check_sample(client, sample, media) for sample in SUBSET]

    assert [f"{o.name}: {failure}" for o in outcomes for failure in o.failures] == []
    assert max(o.seconds for o in outcomes) < 10  # upload + page + crops, per file
    by_kind: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for outcome in outcomes:
        by_kind[outcome.kind][outcome.label] += 1
    # Valid if unusual images: uploaded, analysed, cropped by saliency.
    for outcome in outcomes:
        if outcome.expect == "ok":
            assert outcome.label == ANALYSED and outcome.crops_made > 0, outcome
    # Never images: a clean form error; stored through the field directly, the error is recorded and the
    # page shows the original.
    for kind in NEVER_IMAGES - {"decompression bomb"}:
        assert set(by_kind[kind]) == {NOT_AN_IMAGE}, (kind, by_kind[kind])
    # A bomb's declared size is read from its header (no decode), so its page may link centre crops;
    # the crop view refuses them before decoding and serves the original.
    bombs = [o for o in outcomes if o.kind == "decompression bomb"]
    assert set(by_kind["decompression bomb"]) <= {NOT_AN_IMAGE, BOMB_MEASURED}, by_kind["decompression bomb"]
    assert bombs and all(o.error.startswith(("ImageTooLargeError", "DecodeBudgetError")) and o.crops_made == 0
                         for o in bombs)
    # Damaged files take every allowed path, and the form agrees with Django's ImageField on each.
    damaged = {label for kind in ("truncated", "flipped header bytes", "flipped data bytes") for label in by_kind[kind]}
    assert ANALYSED in damaged and NOT_AN_IMAGE in damaged
    assert any(o.route == "form" and o.status == "error" and o.originals_served for o in outcomes)
    assert all(o.django_accepts == (o.route == "form") for o in outcomes)
    # Nothing lost: every accepted upload is stored (checked byte for byte in check_sample).
    from testsupport.django_site.testapp.models import Photo

    assert Photo.objects.count() == len(outcomes)
    assert not list(media.rglob(".smartcrop-*"))


def test_the_full_corpus_script_runs(shipped_model):
    """The script behind the README's figures, on a few files in a child process (it makes its own site)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "reliability.check_django", "--every", "50", "--limit", "12", "--json"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["files"] == 12 and report["corpus_files"] == len(CORPUS) and report["failures"] == []
    assert report["crop_files"] == report["crop_registry_rows"] > 0
    assert sum(report["outcomes"].values()) == 12
