"""The model the audit tests run: the shipped one when present, else $SMARTCROP_MODEL (a development model)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SHIPPED_MODEL


@pytest.fixture(scope="session")
def audit_model() -> str:
    if SHIPPED_MODEL.is_file():
        return str(SHIPPED_MODEL)
    fallback = os.environ.get("SMARTCROP_MODEL")
    if fallback and Path(fallback).is_file():
        return fallback
    pytest.skip("no saliency model: neither the shipped model nor $SMARTCROP_MODEL")
