"""load_city on a folder of one's own: the layout lessons and reports point at."""

from __future__ import annotations

import shutil

import pytest

from toolkit import datasets
from toolkit._errors import SourceNotFoundError, TimestampError


@pytest.fixture
def small_city(tmp_path):
    """A city folder holding two of Quayford's sensor files and its neighbourhoods only."""
    folder = tmp_path / "Riverton"
    (folder / "sensors").mkdir(parents=True)
    (folder / "city").mkdir()
    for name in ("P01", "S01"):
        shutil.copy(datasets.path(name), folder / "sensors")
    shutil.copy(datasets.path("neighbourhoods"), folder / "city")
    return folder


def test_a_folder_of_ones_own_loads_with_its_zone_and_name(small_city):
    city = datasets.load_city(small_city, timezone="Africa/Nairobi")
    assert city.name == "Riverton"
    assert city.timezone == "Africa/Nairobi"
    assert city.folder == small_city.resolve()
    # one PurpleAir and one SDS011 file: two sensors, each given the city's zone
    assert len(city.data.sensors) == 2
    assert set(city.data.sensors["timezone"]) == {"Africa/Nairobi"}
    assert len(city.neighbourhoods) == 10
    # the parts the folder lacks are None, not errors
    assert city.demographics is None
    assert city.stations is None
    assert city.streets is None
    assert "Riverton" in repr(city)


def test_the_name_can_be_given(small_city):
    city = datasets.load_city(small_city, timezone="UTC", name="Our town")
    assert city.name == "Our town"


def test_another_city_needs_its_time_zone(small_city):
    with pytest.raises(TimestampError, match=r"time zone.*\n.*no timezone.*\n.*timezone='Africa"):
        datasets.load_city(small_city)


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(SourceNotFoundError, match=r"does not exist.*\n.*nowhere.*\n.*sensors/"):
        datasets.load_city(tmp_path / "nowhere", timezone="UTC")


def test_a_folder_without_sensors_says_what_it_holds(tmp_path):
    (tmp_path / "city").mkdir()
    expected = r"no 'sensors'.*\n.*holds: city.*\n.*named 'sensors'"
    with pytest.raises(SourceNotFoundError, match=expected):
        datasets.load_city(tmp_path, timezone="UTC")
