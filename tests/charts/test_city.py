"""Charts of the teaching city (Quayford, synthetic): real-looking data, end to end."""

import pytest

from toolkit import charts, datasets


@pytest.fixture(scope="module")
def city():
    return datasets.load_city()  # about 4 s: once for this module


def test_map_of_the_city_from_its_own_files(city):
    chart = charts.sensor_map(city.data, neighbourhoods=city.neighbourhoods, streets=city.streets)
    assert len(chart.to_json()) < 1_000_000
    assert chart.usermeta["caption"].endswith("every one of the 10 has at least one.")
    assert chart.usermeta["choices"]["street_points"] > 0
    assert charts.to_svg(chart).startswith("<svg")


def test_index_and_calendar_of_the_reference_monitor(city):
    reference = city.data.select(sensors=["openaq:99000001"], variables=["pm25"])
    index = charts.index_bands(reference)
    assert index.usermeta["caption"].startswith(
        "By the US EPA AQI (2024, EPA-454/B-24-002), the daily index at sensor openaq:99000001"
    )
    calendar = charts.calendar(reference, guideline="who_2021_pm25_24h")
    assert "Outlined: days above" in " ".join(calendar.to_dict()["title"]["subtitle"])
    assert charts.to_svg(calendar).startswith("<svg")
