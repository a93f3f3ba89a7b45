"""Count the saliency model's runs in a throw-away child process (the test projects' render scripts)."""

from __future__ import annotations

import smartcrop_core


def count_model_runs() -> list[int]:
    """Wrap ``SaliencyModel.predict`` for the rest of this process; the returned list's one item counts runs."""
    runs = [0]
    predict = smartcrop_core.SaliencyModel.predict

    def counted(self, pixels):
        runs[0] += 1
        return predict(self, pixels)

    smartcrop_core.SaliencyModel.predict = counted
    return runs
