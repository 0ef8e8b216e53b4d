"""Shared fixtures: a private cache folder for the whole session, paths to bundled data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "000_9f14ab93c5a18b94.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point the package's cache at a session temp folder so tests never touch the user's."""
    folder = tmp_path_factory.mktemp("xt-cache")
    folder.chmod(0o700)
    old = os.environ.get("XIANGTAN_NLP_CACHE")
    os.environ["XIANGTAN_NLP_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("XIANGTAN_NLP_CACHE", None)
    else:
        os.environ["XIANGTAN_NLP_CACHE"] = old


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The raw seed page."""
    return SEED.read_text(encoding="utf-8")
