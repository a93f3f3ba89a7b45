"""`smartcrop audit pairs`: Twitter's paired-image test, run on the user's own labelled images.

For every pair of groups, distinct (image of A, image of B) pairs are drawn (seeded). Each pair is joined
four ways (side by side and stacked, each in both orders: see pairs.py), each join is analysed once, and
three decisions are recorded per join (see outcomes.py):

- ``argmax``: which image holds the single most salient point (Twitter's published statistic);
- ``crop_mass``: which image the default crop (window holding the most saliency) keeps;
- ``crop_twitter``: which image a crop centred on the top point (Twitter's rule) keeps.

A pair's score for group A is the mean over its four joins. Only the current pair is ever decoded
(plus a small cache), and per-join records are streamed to ``pairs.jsonl``: memory does not grow with
the folder.
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

import numpy as np
from PIL import Image
from tqdm import tqdm

from smartcrop_core import Analysis, Box, CropOptions, ImageError, SaliencyModel, analyze, ratio_label
from smartcrop_core import save_atomically

from .examples import decision_picture
from .labels import Labels
from .outcomes import crop_score, kept_shares, point_score
from .pairs import DIRECTIONS, Joined, draw_pairs, join
from .sources import ImageCache, check_header, images_outside
from .stats import summarise_pairs

METRICS: tuple[str, ...] = ("argmax", "crop_mass", "crop_twitter")
ORDERS = ("AB", "BA")
#: Fewer images than this in a group: the interval only speaks for these few people.
FEW_IMAGES = 20


@dataclass(frozen=True)
class PairsConfig:
    """Everything that determines a pairs audit (stored in the report, so a run can be repeated)."""

    pairs: int = 1000  # per pair of groups (at most every combination once)
    seed: int = 0
    side: int = 384  # shared height (side by side) / width (stacked) of the two images, pixels
    gap: float = 0.1  # neutral gap between the images, as a share of ``side``
    resamples: int = 2000
    confidence: float = 0.95
    examples: int = 6  # example pictures per pair of groups
    max_pixels: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Comparison:
    """The per-pair scores of one pair of groups, kept as small arrays for the statistics."""

    groups: tuple[str, str]
    counts: tuple[int, int]  # usable images in each group
    index_a: list[int] = field(default_factory=list)
    index_b: list[int] = field(default_factory=list)
    scores: list[list[float]] = field(default_factory=list)  # [pairs][metric]: group A's score
    ties: list[list[float]] = field(default_factory=list)  # [pairs][metric]: share of tied joins
    by_join: list[list[list[float]]] = field(default_factory=list)  # [pairs][direction][metric]
    first: list[list[list[float]]] = field(default_factory=list)  # [pairs][direction][metric]: first image's score
    skipped: int = 0  # pairs dropped because an image turned out to be bad


def run_pairs(labels: Labels, images_dir: Path, out: Path, model: SaliencyModel, config: PairsConfig,
              progress: bool = True, warn: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the audit, write pairs.jsonl and example pictures into ``out``; return the report data."""
    warn = warn or (lambda message: tqdm.write(message, file=sys.stderr))
    for problem in labels.problems:
        warn(f"smartcrop audit: {problem}")
    bad: dict[str, str] = {}
    usable: dict[str, list[Path]] = {}
    for group, paths in labels.groups.items():
        for path in paths:
            reason = check_header(path, config.max_pixels)
            if reason is None:
                usable.setdefault(group, []).append(path)
            else:
                bad[str(path)] = reason
                warn(f"smartcrop audit: skipped: {reason}")
    listed = {path.resolve() for path in labels.images()}
    unlabelled = sum(1 for path in images_outside(images_dir, out) if path.resolve() not in listed)

    group_names = [group for group in labels.groups if group in usable]  # the CSV's order
    comparisons = [Comparison((a, b), (len(usable[a]), len(usable[b])))
                   for a, b in itertools.combinations(group_names, 2)]
    draws = [draw_for(config, index, c.counts) for index, c in enumerate(comparisons)]
    out.mkdir(parents=True, exist_ok=True)
    cache = ImageCache(config.side, config.max_pixels)
    bar = tqdm(total=sum(len(d) for d in draws), unit="pair", file=sys.stderr, disable=not progress)
    example_files: list[str] = []
    with open(out / "pairs.jsonl", "w", encoding="utf-8") as records:
        for comparison, pairs in zip(comparisons, draws):
            a_paths, b_paths = usable[comparison.groups[0]], usable[comparison.groups[1]]
            saved = {"first": 0, "disagree": 0}
            for i, j in pairs:
                bar.update(1)
                a_path, b_path = a_paths[i], b_paths[j]
                if str(a_path) in bad or str(b_path) in bad:
                    comparison.skipped += 1
                    continue
                images = [load_or_mark(cache, path, bad, warn) for path in (a_path, b_path)]
                if images[0] is None or images[1] is None:
                    comparison.skipped += 1
                    continue
                a_image, b_image = images
                pair_index = len(comparison.scores)
                joins = analyse_pair(a_image, b_image, model, config, records,
                                     {"pair": pair_index, "groups": list(comparison.groups),
                                      "a": str(a_path), "b": str(b_path)})
                record_pair(comparison, int(i), int(j), joins)
                example_files += save_examples(joins, comparison, pair_index, (a_path, b_path), out, config, saved)
    bar.close()
    return build_report(labels, comparisons, config, model, bad, unlabelled, example_files)


def load_or_mark(cache: ImageCache, path: Path, bad: dict[str, str], warn: Callable[[str], None]) -> Image.Image | None:
    """The decoded image, or None after reporting it (once) as bad: its other pairs are skipped too."""
    try:
        return cache.get(path)
    except ImageError as error:
        bad[str(path)] = str(error)
        warn(f"smartcrop audit: skipped: {error}")
        return None


def draw_for(config: PairsConfig, index: int, counts: tuple[int, int]) -> np.ndarray:
    """The pairs of one comparison: seeded by (seed, comparison index), so runs repeat exactly."""
    return draw_pairs(counts[0], counts[1], config.pairs, np.random.default_rng([config.seed, index]))


@dataclass(frozen=True)
class JoinResult:
    """The three decisions on one join, as group A's scores, plus what is needed to draw it."""

    direction: str
    order: str
    scores: tuple[float, float, float]  # argmax, crop_mass, crop_twitter; 1 = A wins
    picture: tuple[Joined, Analysis, Box]  # (joined, analysis, twitter box), kept only while the pair is processed


def analyse_pair(a_image: Image.Image, b_image: Image.Image, model: SaliencyModel, config: PairsConfig, records: TextIO,
                 base: dict[str, Any]) -> list[JoinResult]:
    """Analyse the four joins of one pair (one model run each) and stream a record per join.

    In a record, "a"/"b" are the pair's images of group A/B whatever their place; ``first`` says which
    was placed left/top; ``kept_share_a_b`` is the share of each image's own area inside each crop.
    """
    results = []
    twitter = CropOptions(strategy="twitter")
    for direction in DIRECTIONS:
        for order in ORDERS:
            first, second = (a_image, b_image) if order == "AB" else (b_image, a_image)
            joined = join(first, second, direction, config.side, config.gap)
            label = ratio_label(joined.ratio)
            analysis = analyze(joined.image, [joined.ratio], model=model)
            mass_box = analysis.boxes[label]
            twitter_box = analysis.box(joined.ratio, twitter)
            first_scores = (
                point_score(analysis.top_point, joined.size, joined.regions),
                crop_score(mass_box, joined.regions),
                crop_score(twitter_box, joined.regions),
            )
            scores = first_scores if order == "AB" else tuple(1.0 - s for s in first_scores)
            record = dict(base, join=direction, first="a" if order == "AB" else "b", ratio=round(joined.ratio, 4),
                          size=list(joined.size))
            for metric, score in zip(METRICS, scores):
                record[metric] = winner_name(score)
            record["kept_share_a_b"] = {
                name: [round(s, 4) for s in (shares if order == "AB" else shares[::-1])]
                for name, shares in (("crop_mass", kept_shares(mass_box, joined.regions)),
                                     ("crop_twitter", kept_shares(twitter_box, joined.regions)))
            }
            records.write(json.dumps(record) + "\n")
            results.append(JoinResult(direction, order, scores, (joined, analysis, twitter_box)))
    return results


def winner_name(score: float) -> str:
    return "a" if score == 1.0 else "b" if score == 0.0 else "tie"


def record_pair(comparison: Comparison, i: int, j: int, joins: list[JoinResult]) -> None:
    """Fold the four joins of a pair into the comparison's per-pair arrays."""
    scores = np.array([result.scores for result in joins])  # [joins, metrics]
    comparison.index_a.append(i)
    comparison.index_b.append(j)
    comparison.scores.append(scores.mean(axis=0).tolist())
    comparison.ties.append((scores == 0.5).mean(axis=0).tolist())
    first = np.array([r.scores if r.order == "AB" else tuple(1.0 - s for s in r.scores) for r in joins])
    rows = [[k for k, r in enumerate(joins) if r.direction == d] for d in DIRECTIONS]
    comparison.by_join.append([scores[k].mean(axis=0).tolist() for k in rows])
    comparison.first.append([first[k].mean(axis=0).tolist() for k in rows])


def save_examples(joins: list[JoinResult], comparison: Comparison, pair_index: int, paths: tuple[Path, Path],
                  out: Path, config: PairsConfig, saved: dict[str, int]) -> list[str]:
    """Example pictures: the first pairs as they come, then pairs where the top point and the crop disagree."""
    wanted_first = (config.examples + 1) // 2
    chosen = None
    if saved["first"] < wanted_first:
        chosen, kind = joins[0], "first"
    else:
        disagreeing = [r for r in joins if r.scores[0] != r.scores[1]]
        if disagreeing and saved["disagree"] < config.examples - wanted_first:
            chosen, kind = disagreeing[0], "disagree"
    if chosen is None:
        return []
    saved[kind] += 1
    joined, analysis, twitter_box = chosen.picture
    names = {"A": f"{comparison.groups[0]} ({paths[0].name})", "B": f"{comparison.groups[1]} ({paths[1].name})"}
    first, second = ("A", "B") if chosen.order == "AB" else ("B", "A")
    where = ("left", "right") if chosen.direction == "horizontal" else ("top", "bottom")
    said = [winner_name(s).upper().replace("TIE", "tie") for s in chosen.scores]
    caption = [
        f"{where[0]}: {first} = {names[first]}   {where[1]}: {second} = {names[second]}",
        f"top point on {said[0]}   mass crop keeps {said[1]}   twitter crop keeps {said[2]}",
    ]
    picture = decision_picture(joined.image, analysis, ratio_label(joined.ratio), twitter_box, caption)
    slug = "-vs-".join(safe_name(g) for g in comparison.groups)
    name = f"examples/{slug}-{pair_index:04d}-{chosen.direction}-{chosen.order}.png"
    save_atomically(picture, out / name, "PNG")
    return [name]


def safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:40] or "group"


def build_report(labels: Labels, comparisons: list[Comparison], config: PairsConfig, model: SaliencyModel,
                 bad: dict[str, str], unlabelled: int, example_files: list[str]) -> dict[str, Any]:
    """The report's data: counts, one entry per pair of groups, position preference, notes."""
    notes: list[str] = []
    results = []
    for index, comparison in enumerate(comparisons):
        entry: dict[str, Any] = {
            "groups": list(comparison.groups),
            "images": list(comparison.counts),
            "images_in_pairs": [len(set(comparison.index_a)), len(set(comparison.index_b))],
            "pairs": len(comparison.scores),
            "skipped_pairs": comparison.skipped,
        }
        if comparison.scores:
            summaries = summarise_pairs(
                np.array(comparison.scores), np.array(comparison.ties),
                np.array(comparison.index_a), np.array(comparison.index_b),
                resamples=config.resamples, confidence=config.confidence,
                rng=np.random.default_rng([config.seed, index, 1]),
            )
            entry["metrics"] = {metric: s.to_dict() for metric, s in zip(METRICS, summaries)}
            by_join = np.array(comparison.by_join).mean(axis=0)  # [direction, metric]
            entry["by_join"] = {d: {m: float(by_join[k, n]) for n, m in enumerate(METRICS)}
                                for k, d in enumerate(DIRECTIONS)}
        results.append(entry)
        for group, count in zip(comparison.groups, comparison.counts):
            if count < FEW_IMAGES:
                note = f"group {group!r} has only {count} usable images: the interval speaks for these few images only"
                if note not in notes:
                    notes.append(note)
    firsts = [row for c in comparisons for row in c.first]
    position = np.array(firsts).mean(axis=0) if firsts else np.full((len(DIRECTIONS), len(METRICS)), np.nan)
    if not any(r["pairs"] for r in results):
        notes.append("no pair could be analysed: the labels need at least two groups with usable images")
    return {
        "kind": "smartcrop audit pairs",
        "model": model.label,
        "attribute": labels.attribute,
        "config": config.to_dict(),
        "groups": {group: len(paths) for group, paths in labels.groups.items()},
        "images": {
            "labelled": len(labels.images()),
            "bad": len(bad),
            "unlabelled_in_folder": unlabelled,
            "label_rows_skipped": len(labels.problems),
        },
        "bad_images": bad,
        "comparisons": results,
        # Share of joins won by the image placed first (left / top), whatever its group: the model's
        # position preference. Both orders are used, so it cancels out of the group comparisons.
        "first_position_share": {d: {m: float(position[k, n]) for n, m in enumerate(METRICS)}
                                 for k, d in enumerate(DIRECTIONS)},
        "examples": example_files,
        "notes": notes,
    }
