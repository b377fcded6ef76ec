"""Shared fixtures for the teaching-data tests: the city is loaded once."""

from __future__ import annotations

import pytest

from toolkit import datasets


@pytest.fixture(scope="package")
def city() -> datasets.TeachingCity:
    """The whole teaching city, loaded with toolkit.load (about 4 s, once)."""
    return datasets.load_city()


@pytest.fixture(scope="package")
def truth() -> dict:
    """The instructors' ground truth tables."""
    return datasets.ground_truth()


@pytest.fixture(scope="package")
def problems(truth) -> dict:
    """Planted problems by name: problem -> row."""
    table = truth["planted_problems"]
    return {row.problem: row for row in table.itertuples()}
