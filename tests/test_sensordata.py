import io

import pandas as pd
import pytest

from tests.conftest import assert_balanced
from toolkit._errors import MissingColumnError, UnknownVariableError
from toolkit.history import History, Step
from toolkit.ledger import FileRecord, Ledger
from toolkit.readers import read_sensor_community
from toolkit.sensordata import SensorData, concat

ARCHIVE = (
    "sensor_id;sensor_type;location;lat;lon;timestamp;temperature;humidity\n"
    "7;DHT22;70;48.100;11.500;2024-03-01T10:00:00;10.0;50.0\n"
    "7;DHT22;70;48.100;11.500;2024-03-01T10:02:30;11.0;\n"
    "7;DHT22;70;48.100;11.500;2024-03-01T10:05:00;12.0;52.0\n"
)
OTHER = (
    "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
    "8;SDS011;71;48.200;11.600;2024-03-01T10:01:00;20.0;;;10.0;;\n"
)


def _data(text=ARCHIVE):
    return read_sensor_community(io.BytesIO(text.encode()))


def test_readings_follow_the_contract():
    data = _data()
    assert list(data.readings.columns) == ["sensor_id", "time", "variable", "value", "unit"]
    assert str(data.readings["time"].dtype) == "datetime64[ns, UTC]"
    assert data.readings["value"].dtype == "float64"
    assert len(data) == 5  # six cells, one empty humidity
    assert data.variables == ["temperature", "humidity"]
    assert data.sensor_ids == ["sensorcommunity:7"]
    assert data.period == (pd.Timestamp("2024-03-01T10:00Z"), pd.Timestamp("2024-03-01T10:05Z"))
    assert_balanced(data)


def test_to_wide_is_one_column_per_variable_with_units():
    wide = _data().to_wide()
    assert list(wide.columns) == ["humidity [%]", "temperature [°C]"]
    assert wide.index.names == ["sensor_id", "time"]
    assert wide["temperature [°C]"].tolist() == [10.0, 11.0, 12.0]
    assert pd.isna(wide["humidity [%]"].iloc[1])


def test_to_wide_keeps_duplicates_instead_of_averaging():
    text = ARCHIVE + "7;DHT22;70;48.100;11.500;2024-03-01T10:05:00;14.0;54.0\n"
    wide = _data(text).to_wide()
    assert "duplicate" in wide.index.names
    temps = wide["temperature [°C]"].xs(pd.Timestamp("2024-03-01T10:05Z"), level="time")
    assert sorted(temps.tolist()) == [12.0, 14.0]


def test_select_records_a_step_and_does_not_mutate():
    data = _data()
    before = data.readings.copy()
    chosen = data.select(variables="temperature", start="2024-03-01T10:01:00")
    assert chosen.readings["value"].tolist() == [11.0, 12.0]
    assert len(chosen.history) == 1
    step = chosen.history[0]
    assert step.name == "select"
    assert step.touched == 3
    assert step.parameters["variables"] == ["temperature"]
    pd.testing.assert_frame_equal(data.readings, before)
    assert len(data.history) == 0


def test_select_by_sensor_trims_the_sensors_table_and_by_time_does_not():
    both = concat([_data(), _data(OTHER)])
    assert both.sensor_ids == ["sensorcommunity:7", "sensorcommunity:8"]
    one = both.select(sensors="sensorcommunity:8")
    assert one.sensors["sensor_id"].tolist() == ["sensorcommunity:8"]
    assert one.readings["value"].tolist() == [20.0, 10.0]  # P1 (pm10), P2 (pm25)
    assert len(both.sensors) == 2  # the input is unchanged
    # sensor 8 has no readings after 10:02, but it is still part of the network
    later = both.select(start="2024-03-01T10:02:00")
    assert later.sensors["sensor_id"].tolist() == ["sensorcommunity:7", "sensorcommunity:8"]


def test_select_start_with_offset_is_converted_to_utc():
    chosen = _data().select(start="2024-03-01T11:02:00+01:00")  # 10:02 UTC
    assert chosen.readings["time"].min() == pd.Timestamp("2024-03-01T10:02:30Z")


def test_select_unknown_names_fail_clearly():
    data = _data()
    with pytest.raises(MissingColumnError, match="No sensor with id 'nope'"):
        data.select(sensors="nope")
    with pytest.raises(UnknownVariableError, match="pm2_5"):
        data.select(variables="pm2_5")


def test_replace_requires_a_step_for_new_readings():
    data = _data()
    with pytest.raises(ValueError, match="needs a Step"):
        data.replace(readings=data.readings.head(1))
    step = Step("trim", "Kept the first reading.", {"n": 1}, touched=4)
    new = data.replace(readings=data.readings.head(1), step=step)
    assert len(new) == 1
    assert new.history == History((step,))


def test_concat_joins_sources_and_ledgers():
    both = concat([_data(), _data(OTHER)])
    assert sorted(both.sensor_ids) == ["sensorcommunity:7", "sensorcommunity:8"]
    assert len(both) == 7
    assert len(both.ledger) == 2
    assert set(both.variables) == {"temperature", "humidity", "pm10", "pm25"}
    assert_balanced(both)


def test_concat_refuses_different_histories():
    a = _data()
    b = a.select(variables="temperature")
    with pytest.raises(ValueError, match="different histories"):
        concat([a, b])


def test_text_and_html_views_name_the_essentials():
    data = _data().select(variables="temperature")
    text = repr(data)
    assert "3 readings from 1 sensor(s)" in text
    assert "2024-03-01 10:00" in text
    page = data._repr_html_()
    for part in ("Sensors", "Variables", "Ledger", "History", "sensorcommunity:7", "select"):
        assert part in page
    assert "select(variables=['temperature'])" in str(data.history)


def test_html_escapes_user_text():
    data = _data()
    sensors = data.sensors.assign(name="<script>alert(1)</script>")
    shown = SensorData(data.readings, sensors, data.ledger, data.history)._repr_html_()
    assert "<script>" not in shown
    assert "&lt;script&gt;" in shown


def test_empty():
    data = SensorData.empty()
    assert len(data) == 0
    assert data.period is None
    assert "no readings" in repr(data)
    assert data.to_wide().empty


def test_ledger_views():
    record = FileRecord(
        path="a.csv", format="x/y", rows_read=3, rows_kept=2, values_read=4, readings_kept=3
    )
    record.drop_rows("no measurement values", 1, ["10:00"])
    record.drop_readings("empty field", 1, ["P1='' at 10:05"])
    assert record.balanced
    ledger = Ledger([record])
    frame = ledger.to_frame()
    assert frame.loc[0, "rows_dropped"] == 1
    assert "empty field" in frame.loc[0, "drop_reasons"]
    text = str(ledger)
    assert "3 read = 2 kept + 1 dropped (no measurement values)" in text
    assert "P1='' at 10:05" in text
    record.rows_kept = 1
    assert not record.balanced
