"""The model guard without a server: the log line built from ModelError's fields, per model origin.

The real Thumbor tests (test_faults.py) check the conf and environment cases end to end; these check
the exact documented line (docs/thumbor.md) for all three origins, and that a remembered failure
skips the file and the log.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import logging
from pathlib import Path

from thumbor.config import Config

import smartcrop_core.model
from smartcrop_core import MODEL_HINT
from thumbor_plugin import model_guard
from thumbor_plugin.config import Settings
from thumbor_plugin.model_guard import ModelUnavailable, model_for

TAIL = (". Until the model works, /smart/ and filters:smartcrop() requests get Thumbor's own crop (kept out "
        "of result storage); retrying every 60 s")
FIXES = {
    "conf": "set SMARTCROP_MODEL_PATH in thumbor.conf to a valid model file",
    "env": "fix $SMARTCROP_MODEL in Thumbor's environment, or set SMARTCROP_MODEL_PATH in thumbor.conf to a "
           "valid model file",
    "shipped": "the model shipped with smartcrop is damaged: reinstall smartcrop, or set SMARTCROP_MODEL_PATH "
               "in thumbor.conf to a valid model file",
}


@pytest.mark.parametrize("where", sorted(FIXES))
def test_missing_model_line_names_the_file_and_the_setting(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    missing = tmp_path / where / "saliency.onnx"
    monkeypatch.delenv("SMARTCROP_MODEL", raising=False)
    if where == "env":
        monkeypatch.setenv("SMARTCROP_MODEL", str(missing))
    if where == "shipped":
        monkeypatch.setattr(smartcrop_core.model, "DEFAULT_MODEL_PATH", missing)
    settings = Settings.from_config(Config(SMARTCROP_MODEL_PATH=str(missing) if where == "conf" else None))
    assert model_guard.model_settings(settings).path == missing

    with caplog.at_level(logging.ERROR, logger="thumbor_plugin"):
        with pytest.raises(ModelUnavailable) as first:
            model_for(settings)
        with pytest.raises(ModelUnavailable) as second:  # remembered: no file access, no second line
            model_for(settings)
    expected = f"smartcrop is off: saliency model not found at {missing}; {FIXES[where]}{TAIL}"
    assert str(first.value) == str(second.value) == expected
    assert MODEL_HINT not in expected  # the core's hint for library users is replaced, not appended
    assert [record.getMessage() for record in caplog.records] == [expected]
