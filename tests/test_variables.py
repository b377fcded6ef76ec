import pytest

from toolkit import variables
from toolkit._errors import UnknownVariableError


def test_table_covers_the_issue_groups():
    names = set(variables.names())
    # particulate matter, with raw PurpleAir values kept apart from sensor PM
    assert {"pm1", "pm25", "pm4", "pm10"} <= names
    assert {"pm25_cf1", "pm25_atm", "pm25_alt", "pm1_cf1", "pm10_atm"} <= names
    # gases, weather, noise, traffic by mode and direction, speeds
    assert {"no2", "o3", "so2", "co", "co2"} <= names
    assert {"temperature", "humidity", "pressure", "wind_direction"} <= names
    assert {"laeq", "la_max", "la90"} <= names
    assert {"count_car_left", "count_bike_right", "count_pedestrian", "speed_v85"} <= names


def test_raw_purpleair_values_say_they_are_raw():
    for name in ("pm25_cf1", "pm25_atm", "pm25_alt"):
        assert "not corrected" in variables.get(name).description


@pytest.mark.parametrize(
    ("name", "unit", "rule"),
    [
        ("pm25", "µg/m³", "mean"),
        ("temperature", "°C", "mean"),
        ("laeq", "dB(A)", "energy_mean"),
        ("count_car", "count", "sum"),
        ("wind_direction", "°", "vector_mean"),
        ("pressure", "hPa", "mean"),
        ("la_max", "dB(A)", "max"),
    ],
)
def test_units_and_aggregation_rules(name, unit, rule):
    variable = variables.get(name)
    assert variable.unit == unit
    assert variable.aggregation == rule


def test_every_row_is_complete():
    table = variables.table()
    assert table["name"].is_unique
    assert set(table["aggregation"]) <= set(variables.AGGREGATIONS)
    assert (table["plausible_min"] < table["plausible_max"]).all()
    assert table["description"].str.len().min() >= 20


def test_unknown_variable_suggests_close_names():
    with pytest.raises(UnknownVariableError, match=r"'pm2\.5' is not a canonical variable") as err:
        variables.get("pm2.5")
    message = str(err.value)
    assert "pm25" in message  # a close match is suggested
    assert "toolkit.variables.table()" in message  # and where to look
    assert isinstance(err.value, KeyError)
