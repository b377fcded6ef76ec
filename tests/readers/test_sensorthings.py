"""Tests of the OGC SensorThings API reader: the three response shapes, units, ids, paging.

Gas values are computed by hand from µg/m³ = ppb × M / Vm with Vm = R·T/p =
24.4654 L/mol at 25 °C: NO2 (46.0055 g/mol) 1.88043 and O3 (47.997) 1.96183 µg/m³ per ppb.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_balanced
from toolkit._errors import (
    DataFormatError,
    EmptyFileError,
    TimestampError,
    UnitError,
    UnknownVariableError,
)
from toolkit.readers import sensorthings
from toolkit.readers._io import RawFile
from toolkit.readers.sensorthings import read_sensorthings


@pytest.fixture
def folder(data_dir):
    return data_dir / "sensorthings"


def as_buffer(payload) -> io.BytesIO:
    return io.BytesIO(json.dumps(payload).encode())


def values_of(data, variable):
    return data.readings.loc[data.readings["variable"] == variable, "value"].tolist()


DATASTREAM = {
    "@iot.id": 1,
    "name": "PM2.5",
    "unitOfMeasurement": {"name": "microgram per cubic meter", "symbol": "µg/m³", "definition": ""},
}


# -- Observations with $expand=Datastream ---------------------------------------------
def test_observations_expanded_values_units_and_ids(folder):
    data = read_sensorthings(folder / "observations_expanded.json")
    assert data.ledger[0].format == "sensorthings/observations"
    assert values_of(data, "pm25") == [12.5, 13.25]  # the second is the string "13.25"
    assert values_of(data, "no2") == pytest.approx([37.609], abs=0.001)  # 20 ppb × 1.88043
    assert set(data.readings["sensor_id"]) == {"sensorthings:thing-school-7"}
    assert any("no2: ppb → µg/m³" in c for c in data.ledger[0].conversions)
    assert_balanced(data)


def test_offsets_and_interval_start(folder):
    data = read_sensorthings(folder / "observations_expanded.json")
    times = data.readings["time"].astype(str).tolist()
    assert times[0] == "2024-05-01 08:00:00+00:00"  # 10:00 at +02:00
    assert times[1] == "2024-05-01 08:00:00+00:00"  # start of 08:00Z/09:00Z
    record = data.ledger[0]
    assert any("1 phenomenonTime value(s) are intervals" in n for n in record.notes)
    assert record.time_label.startswith("start of the phenomenonTime interval")


def test_object_result_dropped_with_reason(folder):
    record = read_sensorthings(folder / "observations_expanded.json").ledger[0]
    assert record.readings_dropped == {"result is a JSON object, not a number": 1}
    assert "obs-104" in record.reading_examples["result is a JSON object, not a number"][0]


def test_unknown_observed_property_dropped_by_name(folder):
    record = read_sensorthings(folder / "observations_expanded.json").ledger[0]
    reason = (
        "observed property 'Kohlendioxid' is not a variable the toolkit knows "
        "(say what it is with variable_map=)"
    )
    assert record.rows_dropped == {reason: 1}


def test_variable_map_overrides_and_adds(folder):
    data = read_sensorthings(
        folder / "observations_expanded.json", variable_map={"Kohlendioxid": "co2"}
    )
    assert values_of(data, "co2") == [412.0]
    assert data.ledger[0].rows_dropped == {}


def test_variable_from_a_word_in_the_name_is_noted():
    ds = {
        **DATASTREAM,
        "@iot.id": 8,
        "name": "Classroom CO2 (NDIR)",
        "unitOfMeasurement": {"symbol": "ppm"},
        "ObservedProperty": {"name": "Kohlendioxid"},
    }
    obs = [{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 650, "Datastream": ds}]
    data = read_sensorthings(as_buffer({"value": obs}))
    assert values_of(data, "co2") == [650.0]
    assert any("was read as co2 from a word in its name" in n for n in data.ledger[0].notes)


def test_next_link_means_more_pages(folder):
    record = read_sensorthings(folder / "observations_expanded.json").ledger[0]
    assert any(
        n.startswith("This file is one page of more") and "$skip=5" in n for n in record.notes
    )


def test_position_from_thing_location_geojson_order(folder):
    row = read_sensorthings(folder / "observations_expanded.json").sensors.iloc[0]
    assert row["name"] == "Primary school 7"
    assert (row["latitude"], row["longitude"]) == (49.0069, 8.4037)


def test_result_time_not_read(folder):
    record = read_sensorthings(folder / "observations_expanded.json").ledger[0]
    assert "resultTime" in record.columns_ignored


# -- Observations without their Datastream --------------------------------------------
def test_bare_observations_ask_for_datastream(folder):
    with pytest.raises(
        UnitError,
        match=r"units on the Datastream(.|\n)*2 Observation\(s\) "
        r"without a 'Datastream'(.|\n)*\$expand=Datastream(.|\n)*variable_map",
    ):
        read_sensorthings(folder / "observations_bare.json")


def test_bare_observations_with_single_entry_variable_map(folder):
    data = read_sensorthings(
        folder / "observations_bare.json", variable_map={"PM10": ("pm10", "ug/m3")}
    )
    assert values_of(data, "pm10") == [7.1, 7.4]
    assert set(data.readings["sensor_id"]) == {"sensorthings:unknown"}


# -- a Datastream with its Observations -----------------------------------------------
def test_datastream_with_observations(folder):
    data = read_sensorthings(folder / "datastream_observations.json")
    record = data.ledger[0]
    assert record.format == "sensorthings/datastreams"
    assert values_of(data, "temperature") == [-3.5]  # UCUM "Cel" is °C; name gives the variable
    assert record.readings_dropped == {"empty field": 1, "missing-value code 'n/a'": 1}
    assert any("$skip=3" in n for n in record.notes)
    row = data.sensors.iloc[0]
    assert row["sensor_id"] == "sensorthings:datastream-12"
    assert (row["latitude"], row["longitude"], row["model"]) == (52.5244, 13.4105, "SHT31")
    assert record.time_label == "the instant of the observation (phenomenonTime)"
    assert_balanced(data)


def test_datastream_collection_of_one_thing():
    thing = {"@iot.id": 9, "name": "Station 9"}
    payload = {
        "value": [
            {
                **DATASTREAM,
                "Thing": thing,
                "ObservedProperty": {"name": "PM2.5"},
                "Observations": [
                    {"@iot.id": 1, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 5}
                ],
            },
            {
                "@iot.id": 2,
                "name": "Relative humidity",
                "Thing": thing,
                "unitOfMeasurement": {"name": "percent", "symbol": "%", "definition": ""},
                "Observations": [
                    {"@iot.id": 2, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 80}
                ],
            },
        ]
    }
    data = read_sensorthings(as_buffer(payload))
    assert data.sensors["sensor_id"].tolist() == ["sensorthings:thing-9"]
    assert sorted(data.variables) == ["humidity", "pm25"]


def test_thing_with_expanded_datastreams():
    payload = {
        "@iot.id": "t1",
        "name": "Device",
        "Datastreams": [
            {
                **DATASTREAM,
                "Observations": [{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 3}],
            }
        ],
    }
    data = read_sensorthings(as_buffer(payload))
    assert data.readings["sensor_id"].tolist() == ["sensorthings:thing-t1"]


# -- dataArray ------------------------------------------------------------------------
def test_data_array_needs_variable_map(folder):
    with pytest.raises(
        UnitError,
        match=r"Datastream\(s\) 18, aq-17-o3 \(only the id\)"
        r"(.|\n)*variable_map",
    ):
        read_sensorthings(folder / "data_array.json")


def test_data_array_with_variable_map_by_datastream_id(folder):
    data = read_sensorthings(
        folder / "data_array.json", variable_map={"aq-17-o3": ("o3", "ppb"), "18": ("co", "mg/m³")}
    )
    record = data.ledger[0]
    assert record.format == "sensorthings/data_array"
    # 30 and 42.5 ppb × 1.96183; components are in another order than usual.
    assert values_of(data, "o3") == pytest.approx([58.855, 83.378], abs=0.001)
    assert values_of(data, "co") == [0.5]
    assert record.readings_dropped == {"result is true, not a number": 1}
    assert set(data.readings["sensor_id"]) == {
        "sensorthings:datastream-aq-17-o3",
        "sensorthings:datastream-18",
    }
    assert_balanced(data)


def test_data_array_without_time_component_error():
    payload = {
        "value": [
            {
                "Datastream@iot.navigationLink": "x/Datastreams(1)",
                "components": ["id", "result"],
                "dataArray": [[1, 2]],
            }
        ]
    }
    with pytest.raises(
        DataFormatError,
        match=r"lacks the 'phenomenonTime'(.|\n)*"
        r"components: \['id', 'result'\](.|\n)*\$select",
    ):
        read_sensorthings(as_buffer(payload))


# -- results and times ----------------------------------------------------------------
def test_results_of_every_kind():
    obs = [
        {
            "@iot.id": i,
            "phenomenonTime": f"2024-01-01T0{i}:00:00Z",
            "result": r,
            "Datastream": DATASTREAM,
        }
        for i, r in enumerate([4, "4.5", [1, 2], False, "high", None])
    ]
    data = read_sensorthings(as_buffer({"value": obs}))
    assert values_of(data, "pm25") == [4.0, 4.5]
    assert data.ledger[0].readings_dropped == {
        "result is a list (a MultiDatastream?), not a number": 1,
        "result is false, not a number": 1,
        "not a number": 1,
        "empty field": 1,
    }


def test_times_without_offset_need_timezone():
    obs = [{"phenomenonTime": "2024-01-01T10:00:00", "result": 1, "Datastream": DATASTREAM}]
    with pytest.raises(TimestampError, match=r"no time zone(.|\n)*file_timezone="):
        read_sensorthings(as_buffer({"value": obs}))
    data = read_sensorthings(as_buffer({"value": obs}), file_timezone="Europe/Berlin")
    assert str(data.readings["time"].iloc[0]) == "2024-01-01 09:00:00+00:00"


def test_unit_from_name_when_symbol_unknown():
    ds = {
        **DATASTREAM,
        "unitOfMeasurement": {"symbol": "μg m-3 (weird)", "name": "microgram per cubic metre"},
    }
    obs = [{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 2, "Datastream": ds}]
    assert values_of(read_sensorthings(as_buffer({"value": obs})), "pm25") == [2.0]


def test_datastream_without_unit_drops_rows():
    ds = {"@iot.id": 5, "name": "PM10"}
    good = {"phenomenonTime": "2024-01-01T00:00:00Z", "result": 1, "Datastream": DATASTREAM}
    bad = {"phenomenonTime": "2024-01-01T00:00:00Z", "result": 1, "Datastream": ds}
    record = read_sensorthings(as_buffer({"value": [good, bad]})).ledger[0]
    assert record.rows_dropped == {"Datastream of 'PM10' has no unitOfMeasurement": 1}


# -- errors ---------------------------------------------------------------------------
def test_only_unknown_properties_error():
    ds = {**DATASTREAM, "name": "Feinstaub"}
    obs = [{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 1, "Datastream": ds}]
    with pytest.raises(
        DataFormatError,
        match=r"None of the Datastreams(.|\n)*Feinstaub"
        r"(.|\n)*variable_map",
    ):
        read_sensorthings(as_buffer({"value": obs}))


def test_bad_variable_map_errors():
    with pytest.raises(UnknownVariableError, match=r"'pm2\.5' is not a canonical variable"):
        read_sensorthings(as_buffer({"value": []}), variable_map={"x": ("pm2.5", "µg/m³")})
    with pytest.raises(UnitError, match="furlongs"):
        read_sensorthings(as_buffer({"value": []}), variable_map={"x": ("pm25", "furlongs")})


def test_no_observations_error():
    payload = {"@iot.count": 0, "value": [{**DATASTREAM, "Observations": []}]}
    with pytest.raises(EmptyFileError, match=r"no Observations(.|\n)*\$expand=Observations"):
        read_sensorthings(as_buffer(payload))


def test_not_sensorthings_error():
    with pytest.raises(
        DataFormatError,
        match=r"not an OGC SensorThings(.|\n)*Found: "
        r"beginning(.|\n)*\$expand=Datastream",
    ):
        read_sensorthings(io.BytesIO(b'{"results": [1, 2]}'))


def test_broken_json_error(folder):
    text = (folder / "observations_expanded.json").read_text(encoding="utf-8")[:500]
    with pytest.raises(DataFormatError, match=r"could not be parsed(.|\n)*cut short"):
        read_sensorthings(io.BytesIO(text.encode()))


def test_detect(folder):
    expected = {
        "observations_expanded.json": "observations",
        "observations_bare.json": "observations",
        "datastream_observations.json": "datastreams",
        "data_array.json": "data_array",
    }
    for name, variant in expected.items():
        text = (folder / name).read_text(encoding="utf-8")
        assert sensorthings.detect(RawFile(name, b"", ""), text) == variant
    for text in (
        '{"meta": {"name": "openaq-api"}, "results": []}',
        '[{"sensordatavalues": [], "timestamp": "2024-01-01 00:00:00"}]',
        "location_id,sensors_id,location,datetime\n",
    ):
        assert sensorthings.detect(RawFile("x", b"", ""), text) is None


# -- the ledger always balances -------------------------------------------------------
_RESULT = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(-1000, 1000),
    st.sampled_from(["3.5", "", "n/a", "abc", None, True]),
    st.just({"a": 1}),
    st.just([1, 2]),
)
_TIME = st.sampled_from(
    [
        "2024-01-01T00:00:00Z",
        "2024-01-01T01:00:00+02:00",
        "2024-01-01T00:00:00Z/2024-01-01T01:00:00Z",
        "",
        None,
        "soon",
    ]
)
_STREAM = st.sampled_from(
    [
        DATASTREAM,
        {"@iot.id": 2, "name": "NO2", "unitOfMeasurement": {"symbol": "ppb"}},
        {"@iot.id": 3, "name": "Feinstaub", "unitOfMeasurement": {"symbol": "µg/m³"}},
        {"@iot.id": 4, "name": "PM10", "unitOfMeasurement": {"symbol": "furlongs"}},
    ]
)
_OBS = st.builds(
    lambda t, r, d: {"phenomenonTime": t, "result": r, "Datastream": d}, _TIME, _RESULT, _STREAM
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_OBS, max_size=20))
def test_ledger_balances_for_any_mix_of_observations(observations):
    anchor = {"phenomenonTime": "2024-01-01T00:00:00Z", "result": 1, "Datastream": DATASTREAM}
    data = read_sensorthings(as_buffer({"value": [anchor, *observations]}))
    assert_balanced(data)
    assert data.ledger[0].rows_read == len(observations) + 1
