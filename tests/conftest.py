"""Shared test helpers: paths to fixtures and to the real samples beside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
DATA = TESTS / "data"
REAL_SAMPLES = TESTS.parent.parent / "shared" / "real-samples"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the small fixtures written from the documented formats."""
    return DATA


@pytest.fixture
def real_samples() -> Path:
    """Folder of real exports (../shared/real-samples); skips the test where it is absent."""
    if not REAL_SAMPLES.is_dir():
        pytest.skip(
            f"real samples not found at {REAL_SAMPLES}: clone the project next to ../shared "
            "to run the conformance tests"
        )
    return REAL_SAMPLES


def assert_balanced(data) -> None:
    """Assert every ledger record of a SensorData adds up, and readings match the ledger."""
    for record in data.ledger:
        assert record.rows_read == record.rows_kept + sum(record.rows_dropped.values()), record
        assert record.values_read == record.readings_kept + sum(record.readings_dropped.values()), (
            record
        )
    assert sum(r.readings_kept for r in data.ledger) == len(data.readings)


@pytest.fixture(autouse=True)
def _forget_user_defined_standards():
    """Keep standards registered with toolkit.standards.custom() inside the test that made them."""
    from toolkit.standards import _CUSTOM

    before = dict(_CUSTOM)
    yield
    _CUSTOM.clear()
    _CUSTOM.update(before)
