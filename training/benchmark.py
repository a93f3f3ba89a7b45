"""Latency of our ONNX model vs FastGaze, each at its own input size, at 1 and 2 onnxruntime threads.

Why model-only timing: decoding and resizing are the engine's job and identical for both models;
the question is the network's cost. Both models are timed in the same run, interleaved per thread
count, on the same real image, median over ``repeats`` runs after warm-up.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from training.predictors import FastGaze, OnnxStudent


def median_ms(sess, feeds: dict, repeats: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        sess.run(None, feeds)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        sess.run(None, feeds)
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times))


def benchmark(model: Path, fastgaze: Path, image: Path, threads: tuple[int, ...] = (1, 2),
              repeats: int = 30, fastgaze_long_side: int = 512) -> list[dict]:
    """Rows {model, input, threads, median_ms} for both models and every thread count."""
    rows = []
    for n in threads:
        ours = OnnxStudent(model, threads=n)
        fg = FastGaze(fastgaze, threads=n, long_side=fastgaze_long_side)
        x_ours, _ = ours.input(image)
        x_fg, _ = fg.input(image)
        for name, sess, feeds, x in (("ours", ours.sess, {"image": x_ours}, x_ours),
                                     ("fastgaze", fg.sess, {fg.in_name: x_fg}, x_fg)):
            rows.append({"model": name, "input": f"{x.shape[3]}x{x.shape[2]}", "threads": n,
                         "median_ms": median_ms(sess, feeds, repeats)})
    return rows
