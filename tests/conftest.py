"""Shared test fixtures: where the project's fixtures and the read-only ../shared material live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder (real reports, seeds, reference forms)."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}: tests need the project's shared material")
    return SHARED


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
