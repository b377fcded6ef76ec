"""Tests of the PurpleAir reader: every variant, every documented quirk, every error.

Expected values are computed by hand: (°F − 32) × 5/9 gives 77 °F = 25 °C, 68 °F = 20 °C,
59 °F = 15 °C, 50 °F = 10 °C, 41 °F = 5 °C, 32 °F = 0 °C and 34 °F = 1.111 °C; Unix time
1709280000 is 2024-03-01T08:00:00Z (1709251200 is midnight, plus 8 × 3600 s).
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import assert_balanced
from toolkit._errors import (
    DataFormatError,
    EmptyFileError,
    TimestampError,
    UnknownLayoutError,
)
from toolkit.readers import purpleair
from toolkit.readers._io import RawFile
from toolkit.readers.purpleair import detect, read_purpleair

OLD_SD = (
    "UTCDateTime,mac_address,firmware_ver,hardware,current_temp_f,current_humidity,"
    "current_dewpoint_f,pressure,adc,mem,rssi,uptime,pm1_0_atm,pm2_5_atm,pm10_0_atm,"
    "pm1_0_cf_1,pm2_5_cf_1,pm10_0_cf_1,p_0_3_um,p_0_5_um,p_1_0_um,p_2_5_um,p_5_0_um,"
    "p_10_0_um,pm1_0_atm_b,pm2_5_atm_b,pm10_0_atm_b,pm1_0_cf_1_b,pm2_5_cf_1_b,"
    "pm10_0_cf_1_b,p_0_3_um_b,p_0_5_um_b,p_1_0_um_b,p_2_5_um_b,p_5_0_um_b,p_10_0_um_b"
)
PRIMARY_A = (
    "created_at,entry_id,PM1.0_CF1_ug/m3,PM2.5_CF1_ug/m3,PM10.0_CF1_ug/m3,UptimeMinutes,"
    "RSSI_dbm,Temperature_F,Humidity_%,PM2.5_ATM_ug/m3"
)
SECONDARY = (
    "created_at,entry_id,>=0.3um/dl,>=0.5um/dl,>1.0um/dl,>=2.5um/dl,>=5.0um/dl,"
    ">=10.0um/dl,PM1.0_ATM_ug/m3,PM10_ATM_ug/m3"
)
TOOL_NAME = "Backyard{b} ({loc}) (45.5 -122.6) {kind} Real Time 06_01_2020 06_30_2020.csv"


def buffer(text: str, name: str = "<buffer>") -> io.BytesIO:
    out = io.BytesIO(text.encode())
    out.name = name
    return out


def values(data, variable: str, channel: str | None = None) -> list[float]:
    r = data.readings
    mask = r["variable"] == variable
    if channel is not None:
        mask &= r["channel"] == channel
    elif "channel" in r:
        mask &= r["channel"].isna()
    return r.loc[mask, "value"].round(4).tolist()


def raw_of(path) -> tuple[RawFile, str]:
    data = path.read_bytes()
    return RawFile(str(path), data, ""), data.decode()


# -- detection ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("api_history_unsorted_error.csv", "api_history_csv"),
        ("api_history_epoch.csv", "api_history_csv"),
        ("api_history_offset.csv", "api_history_csv"),
        ("api_history.json", "api_history_json"),
        ("api_error.json", "api_history_json"),
        ("sd_old_firmware.csv", "sd_card_csv"),
        ("sd_new_firmware.csv", "sd_card_csv"),
        ("sd_firmware_change.csv", "sd_card_csv"),
        (
            "Backyard (outside) (45.5 -122.6) Primary Real Time 06_01_2019 06_30_2019.csv",
            "thingspeak_csv",
        ),
    ],
)
def test_detect_fixtures(data_dir, name, variant):
    raw, text = raw_of(data_dir / "purpleair" / name)
    assert detect(raw, text) == variant


@pytest.mark.parametrize(
    "head",
    [
        "sensor_id;sensor_type;location;lat;lon;timestamp;P1;P2\n1;SDS011;2;3;4;2020-01-01;1;2\n",
        "created_at,entry_id,field1,field2\n2020-01-01 00:00:00 UTC,1,2,3\n",
        "datetime,value,unit\n2020-01-01,3,ug/m3\n",
        "location_id,sensors_id,location,datetime,lat,lon,parameter,units,value\n",
        '[{"sensor": {"id": 1}}]',
        '{"type": "FeatureCollection", "features": []}',
        "TIME,NOISE,TEMP\n",
    ],
)
def test_detect_does_not_claim_other_files(head):
    assert detect(RawFile("x.csv", head.encode(), ""), head) is None


# -- API history CSV ------------------------------------------------------------------
def test_api_csv_unsorted_rows_are_sorted_and_noted(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "api_history_unsorted_error.csv")
    times = data.readings["time"]
    assert times.is_monotonic_increasing
    assert times.iloc[0] == pd.Timestamp("2024-03-01T08:00:00Z")
    assert any("not in time order" in n for n in data.ledger[0].notes)
    assert data.ledger[0].format == "purpleair/api_history_csv"


def test_api_csv_variables_units_and_channels(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "api_history_unsorted_error.csv")
    # Sorted rows: 08:00 (68 °F), 08:10 (77 °F), 08:20 (86 °F).
    assert values(data, "temperature") == [20.0, 25.0, 30.0]
    assert values(data, "humidity") == [41.0, 40.0, 42.0]
    assert values(data, "pressure") == [1013.1, 1013.2, 1013.0]
    # Un-suffixed pm2.5_atm is the A/B average: no channel. _a/_b are channels.
    assert values(data, "pm25_atm") == [4.5, 5.5, 6.5]
    assert values(data, "pm25_atm", "A") == [4.0, 5.0, 6.0]
    assert values(data, "pm25_atm", "B") == [5.0, 6.0, 7.0]
    assert values(data, "pm25_cf1", "A") == [4.2, 5.1, 6.1]
    assert values(data, "pm25_alt") == [2.9, 3.2, 3.3]
    assert values(data, "pc_gt03", "A") == [850.0, 900.5, 950.0]
    assert values(data, "voc_iaq") == [80.0, 82.0]  # empty at 08:00
    assert "pm25" not in set(data.readings["variable"])
    assert set(data.readings["unit"]) == {"°C", "%", "hPa", "µg/m³", "#/dL", "index"}
    assert data.sensor_ids == ["purpleair:95189"]
    record = data.ledger[0]
    assert "rssi" in record.columns_ignored
    assert "scattering_coefficient" in record.columns_ignored
    assert record.readings_dropped == {"empty field": 1}


def test_api_csv_appended_error_json_lines_are_dropped_rows(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "api_history_unsorted_error.csv")
    record = data.ledger[0]
    # 3 data rows and the 6 lines of the error object.
    assert record.rows_read == 9
    assert record.rows_kept == 3
    reason = "PurpleAir API error message written into the file (RateLimitExceededError)"
    assert record.rows_dropped == {reason: 6}
    assert any("RateLimitExceededError: Rate limit exceeded" in n for n in record.notes)
    assert_balanced(data)


def test_api_csv_error_json_on_one_line():
    text = (
        "time_stamp,sensor_index,pm2.5_atm\n"
        "1709280000,95189,3.0\n"
        '{"api_version" : "V1.0.11", "time_stamp" : 1709281500, "error" : '
        '"RateLimitExceededError", "description" : "Rate limit exceeded."}\n'
    )
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    assert record.rows_read == 2
    assert record.rows_kept == 1
    assert sum(record.rows_dropped.values()) == 1
    assert "RateLimitExceededError" in next(iter(record.rows_dropped))
    assert_balanced(data)


def test_api_csv_with_only_an_error_raises():
    text = (
        "time_stamp,sensor_index,pm2.5_atm\n"
        '{"error" : "ApiKeyInvalidError", "description" : "The provided api_key was '
        'not valid."}\n'
    )
    with pytest.raises(DataFormatError, match="error message instead of data") as info:
        read_purpleair(buffer(text))
    assert "ApiKeyInvalidError" in str(info.value)
    assert "X-API-Key" in str(info.value)


def test_api_csv_unix_seconds(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "api_history_epoch.csv")
    assert data.readings["time"].iloc[0] == pd.Timestamp("2024-03-01T08:00:00Z")
    assert values(data, "temperature", "A") == [0.0, 5.0, 10.0]
    assert data.ledger[0].timezone == "UTC"
    assert "Unix time" in data.ledger[0].timezone_reason


def test_api_csv_offsets_are_converted_to_utc(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "api_history_offset.csv")
    # 16:00 at UTC−5 is 21:00 UTC.
    assert data.readings["time"].iloc[0] == pd.Timestamp("2024-05-05T21:00:00Z")
    assert values(data, "pm25_atm") == [3.0, 3.5, 4.0]
    assert data.ledger[0].time_label == "start of the averaging interval [M]"
    assert any("10 minutes apart" in n for n in data.ledger[0].notes)


def test_api_csv_repeated_header_is_dropped():
    text = (
        "time_stamp,sensor_index,pm2.5_atm\n"
        "2024-03-01T08:00:00Z,95189,3.0\n"
        "time_stamp,sensor_index,pm2.5_atm\n"
        "2024-03-01T08:10:00Z,95189,4.0\n"
    )
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    assert record.rows_read == 3
    assert sum(v for k, v in record.rows_dropped.items() if "repeated header" in k) == 1
    assert values(data, "pm25_atm") == [3.0, 4.0]


def test_api_csv_garbage_timestamp_is_dropped_not_fatal():
    text = "time_stamp,sensor_index,pm2.5_atm\n2024-03-01T08:00:00Z,95189,3.0\ngarbage,95189,4.0\n"
    data = read_purpleair(buffer(text))
    assert data.ledger[0].rows_dropped == {"timestamp could not be read": 1}
    assert values(data, "pm25_atm") == [3.0]


def test_sensor_id_option_overrides_and_notes():
    text = "time_stamp,sensor_index,pm2.5_atm\n1709280000,95189,3.0\n"
    data = read_purpleair(buffer(text), sensor_id="1234")
    assert data.sensor_ids == ["purpleair:1234"]
    assert any("instead of the file's sensor_index" in n for n in data.ledger[0].notes)


def test_cf_atm_check_notes_labels_that_look_swapped():
    rows = "".join(f"{1709280000 + 600 * i},95189,{100 + i},{80 + i}\n" for i in range(12))
    text = "time_stamp,sensor_index,pm2.5_atm_a,pm2.5_cf_1_a\n" + rows
    data = read_purpleair(buffer(text))
    assert any("look swapped" in n for n in data.ledger[0].notes)
    fixed = read_purpleair(buffer(text), cf_atm_swapped=True)
    assert values(fixed, "pm25_cf1", "A")[0] == 100.0
    assert not any("look swapped" in n for n in fixed.ledger[0].notes)


# -- AirSensor2-derived CSV and metadata ----------------------------------------------
AIRSENSOR = (
    '"datetime","hardware","firmware_version","rssi","uptime","pa_latency","memory",'
    '"humidity","temperature","pressure","pm2.5_atm","pm2.5_atm_a","pm2.5_atm_b"\n'
    '2024-03-01 08:00:31,"2.0+OPENLOG+BME280",7.02,-81,1942896,1725,15576,55,34,936.29,'
    "5.365,6.41,4.32\n"
    '2024-03-01 08:02:32,"2.0+OPENLOG+BME280",7.02,-80,1943017,623,15576,55,NA,936.3,'
    "4.75,4.46,5.04\n"
)


def test_airsensor2_csv_utc_without_sensor_index():
    data = read_purpleair(buffer(AIRSENSOR, "/tmp/sensor_95189.csv"))
    record = data.ledger[0]
    assert record.format == "purpleair/airsensor2_csv"
    assert data.sensor_ids == ["purpleair:sensor_95189"]
    assert any("no sensor_index column" in n for n in record.notes)
    assert data.readings["time"].iloc[0] == pd.Timestamp("2024-03-01T08:00:31Z")
    assert values(data, "temperature") == [1.1111]  # 34 °F; the NA is a missing code
    assert record.readings_dropped == {"missing-value code 'NA'": 1}
    assert set(record.columns_ignored) >= {
        "hardware",
        "rssi",
        "uptime",
        "pa_latency",
        "memory",
        "firmware_version",
    }
    assert any("8 °F" in n for n in record.notes)


def test_airsensor2_csv_sensor_id_option():
    data = read_purpleair(buffer(AIRSENSOR), sensor_id="95189")
    assert data.sensor_ids == ["purpleair:95189"]


META = (
    '"deviceDeploymentID","deviceID","locationID","locationName","longitude","latitude",'
    '"elevation","countryCode","timezone","sensor_index","name","location_type","model"\n'
    '"a_pa.1","pa.1","a","Roof",-120.5,48.5,NA,"US","America/Los_Angeles","1","Roof",'
    '"outside","PA-II-SD"\n'
    '"b_pa.2","pa.2","b","Kitchen",-120.6,48.6,NA,"US","Mars/Base","2","Kitchen",'
    '"inside","PA-I"\n'
    '"c","NA","c","Nowhere",1,1,NA,"US",NA,NA,"x","outside","PA-II"\n'
)


def test_sensor_metadata_csv_gives_sensors_and_no_readings():
    text = META
    raw = RawFile("m.csv", text.encode(), "")
    assert detect(raw, text) == "sensor_metadata"
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    assert record.format == "purpleair/sensor_metadata"
    assert len(data.readings) == 0
    assert record.rows_read == 3
    assert record.rows_kept == 2
    assert record.values_read == 0
    assert sum(record.rows_dropped.values()) == 1
    sensors = data.sensors.set_index("sensor_id")
    assert sensors.loc["purpleair:1", "location_type"] == "outdoor"
    assert sensors.loc["purpleair:2", "location_type"] == "indoor"
    assert sensors.loc["purpleair:1", "latitude"] == 48.5
    assert sensors.loc["purpleair:1", "timezone"] == "America/Los_Angeles"
    # "Mars/Base" is not an IANA name: it is not kept. The zone is then left empty, or
    # found from the coordinates (48.6 N, 120.6 W is in Washington State).
    zone = sensors.loc["purpleair:2", "timezone"]
    assert pd.isna(zone) or zone == "America/Los_Angeles"
    assert any("Mars/Base" in n for n in record.notes)
    assert_balanced(data)


def test_sensor_list_json_is_read_as_sensors():
    payload = {
        "api_version": "V1",
        "fields": ["sensor_index", "name", "location_type", "latitude", "longitude"],
        "data": [[1, "Roof", 0, 48.5, -120.5], [2, "Kitchen", 1, 48.6, -120.6]],
    }
    data = read_purpleair(buffer(json.dumps(payload)))
    assert data.ledger[0].format == "purpleair/sensor_list_json"
    assert data.sensors.set_index("sensor_id").loc["purpleair:2", "location_type"] == "indoor"
    assert_balanced(data)


# -- API history JSON -----------------------------------------------------------------
def test_api_json_positional_rows_sorted(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "api_history.json")
    record = data.ledger[0]
    assert record.format == "purpleair/api_history_json"
    assert data.readings["time"].is_monotonic_increasing
    assert values(data, "temperature", "A") == [0.0, 5.0, 10.0]  # 32, 41, 50 °F
    assert values(data, "pm25_atm", "A") == [5.0, 7.1]  # null at 09:00
    assert values(data, "pm25_cf1", "B") == [5.4, 6.4, 7.5]
    assert record.readings_dropped == {"empty field": 1}
    assert "rssi" in record.columns_ignored
    assert any("not in time order" in n for n in record.notes)
    assert any("Averaging period: 60 minutes" in n for n in record.notes)
    assert record.time_label == "start of the averaging interval [M]"
    assert data.sensor_ids == ["purpleair:95189"]
    assert_balanced(data)


def test_api_json_real_time_label():
    payload = {
        "api_version": "V1",
        "sensor_index": 7,
        "average": 0,
        "fields": ["time_stamp", "pm2.5_atm"],
        "data": [[1709280000, 1.5]],
    }
    data = read_purpleair(buffer(json.dumps(payload)))
    assert data.ledger[0].time_label == "end of the sensor's ~2-minute reading [M]"
    assert any("real time" in n for n in data.ledger[0].notes)


def test_api_json_error_object_raises_with_description(data_dir):
    with pytest.raises(DataFormatError, match="returned an error instead of data") as info:
        read_purpleair(data_dir / "purpleair" / "api_error.json")
    message = str(info.value)
    assert "RateLimitExceededError" in message
    assert "Rate limit exceeded. Try again later." in message
    assert "Wait a minute" in message


def test_bare_error_object_raises_with_description():
    text = '{"error": "NotFoundError", "description": "Cannot find a sensor with index 1."}'
    with pytest.raises(DataFormatError, match="NotFoundError") as info:
        read_purpleair(buffer(text))
    assert "Cannot find a sensor" in str(info.value)
    assert "sensor_index" in str(info.value)


def test_api_json_without_fields_raises():
    with pytest.raises(DataFormatError, match="no 'fields' and 'data'") as info:
        read_purpleair(buffer('{"api_version": "V1", "sensor_index": 1}'))
    assert "keys:" in str(info.value)
    assert "/history" in str(info.value)


def test_api_json_broken_raises():
    with pytest.raises(DataFormatError, match="could not be parsed") as info:
        read_purpleair(buffer('{"api_version": "V1", "fields": ['))
    assert "Download the file again" in str(info.value)


def test_api_json_short_row_is_dropped():
    payload = {
        "api_version": "V1",
        "sensor_index": 7,
        "average": 10,
        "fields": ["time_stamp", "pm2.5_atm"],
        "data": [[1709280000, 1.5], [1]],
    }
    data = read_purpleair(buffer(json.dumps(payload)))
    assert data.ledger[0].rows_dropped == {"row does not have the 2 values of 'fields'": 1}
    assert_balanced(data)


# -- SD card --------------------------------------------------------------------------
def test_sd_old_firmware_labels_are_swapped(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "sd_old_firmware.csv")
    # Row 1 writes 80 under pm2_5_atm (really CF=1) and 60 under pm2_5_cf_1 (really ATM).
    assert values(data, "pm25_cf1", "A")[0] == 80.0
    assert values(data, "pm25_atm", "A")[0] == 60.0
    assert values(data, "pm25_cf1", "B")[0] == 81.0
    assert values(data, "pm25_atm", "B")[0] == 61.0
    assert any("before 5.0" in n and "swapped" in n for n in data.ledger[0].notes)


def test_sd_repeated_header_is_dropped_with_reason(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "sd_old_firmware.csv")
    record = data.ledger[0]
    assert record.rows_read == 4
    assert record.rows_kept == 3
    assert record.rows_dropped == {
        "repeated header line (the SD logger writes one at every restart)": 1
    }
    assert_balanced(data)


def test_sd_units_channels_and_padded_mac(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "sd_old_firmware.csv")
    assert values(data, "temperature") == [25.0, 20.0, 15.0]  # 77, 68, 59 °F
    assert values(data, "dewpoint") == [10.0, 5.0, 0.0]  # 50, 41, 32 °F
    assert values(data, "pressure") == [1010.5, 1010.4, 1010.3]
    assert values(data, "pc_gt03", "A") == [9000.0, 2000.0, 2200.0]
    assert values(data, "pc_gt10", "B") == [2.0, 0.0, 1.0]
    assert data.sensor_ids == ["purpleair:08:3a:8d:0b:a4:fd"]
    assert data.sensors["model"].iloc[0] == "PA-II-SD"
    assert "mac_address" in data.ledger[0].columns_ignored
    assert any("zero padding" in n for n in data.ledger[0].notes)


def test_sd_new_firmware_read_as_labelled(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "sd_new_firmware.csv")
    assert values(data, "pm25_cf1", "A")[0] == 80.0
    assert values(data, "pm25_atm", "A")[0] == 60.0
    assert values(data, "voc_iaq") == [25.3, 26.0]
    assert "pm2.5_aqi_atm" in data.ledger[0].columns_ignored
    assert any("5.0 or later" in n for n in data.ledger[0].notes)


def test_sd_layout_change_mid_file(data_dir):
    data = read_purpleair(data_dir / "purpleair" / "sd_firmware_change.csv")
    record = data.ledger[0]
    assert record.rows_dropped == {"header line of a new column layout (firmware changed)": 1}
    # Both rows hold the same measurement under the two layouts.
    assert values(data, "pm25_cf1", "A") == [80.0, 80.0]
    assert values(data, "pm25_atm", "A") == [60.0, 60.0]
    assert values(data, "voc_iaq") == []  # gas is empty in the new-layout row
    assert record.readings_dropped == {"empty field": 1}
    assert any("layout changed 1 time" in n for n in record.notes)
    assert_balanced(data)


def test_sd_truncated_row_is_dropped():
    header = OLD_SD
    good = "2019/07/01T00:00:00z,8:3a:8d:b:a4:fd,4.11,hw,77,40,50,1010.5" + ",1" * 28
    text = f"{header}\n{good}\n2019/07/01T00:02:00z,8:3a:8d:b:a4:fd,4.11\n"
    data = read_purpleair(buffer(text))
    assert data.ledger[0].rows_dropped == {"row does not have the header's 36 fields": 1}
    assert_balanced(data)


def test_sd_header_only_raises():
    with pytest.raises(EmptyFileError, match="no data rows") as info:
        read_purpleair(buffer(OLD_SD + "\n" + OLD_SD + "\n"))
    assert "UTCDateTime" in str(info.value)
    assert "SD card" in str(info.value)


# -- ThingSpeak download tool ---------------------------------------------------------
def test_thingspeak_old_labels_are_swapped(data_dir):
    path = (
        data_dir
        / "purpleair"
        / "Backyard (outside) (45.5 -122.6) Primary Real Time 06_01_2019 06_30_2019.csv"
    )
    data = read_purpleair(path)
    # Old labels: field2 says ATM (80), field8 says CF1 (60). Field2 is CF=1.
    assert values(data, "pm25_cf1", "A") == [80.0, 12.0]
    assert values(data, "pm25_atm", "A") == [60.0, 12.0]
    assert values(data, "pm1_cf1", "A") == [40.0, 10.0]
    assert values(data, "temperature") == [15.0, 10.0]  # 59, 50 °F
    assert data.readings["time"].iloc[0] == pd.Timestamp("2019-06-01T00:01:23Z")
    record = data.ledger[0]
    assert any("before 20 October 2019" in n for n in record.notes)
    sensor = data.sensors.iloc[0]
    assert sensor["sensor_id"] == "purpleair:Backyard"
    assert (sensor["latitude"], sensor["longitude"]) == (45.5, -122.6)
    assert sensor["location_type"] == "outdoor"


def test_thingspeak_corrected_labels_not_swapped_before_or_after_2019_10_20(data_dir):
    path = (
        data_dir
        / "purpleair"
        / "Backyard (outside) (45.5 -122.6) Primary Real Time 10_19_2019 10_21_2019.csv"
    )
    data = read_purpleair(path)
    # One row on 19 October, one on 21 October: same values, same reading.
    assert values(data, "pm25_cf1", "A") == [80.0, 80.0]
    assert values(data, "pm25_atm", "A") == [60.0, 60.0]
    assert any("also for rows before that date" in n for n in data.ledger[0].notes)


def test_thingspeak_swap_override():
    text = f"{PRIMARY_A}\n2020-06-01 00:01:23 UTC,1,40,80,90,100,-70,59,45,60\n"
    data = read_purpleair(buffer(text), cf_atm_swapped=True)
    assert values(data, "pm25_atm", "A") == [80.0]
    assert any("as asked" in n for n in data.ledger[0].notes)


def test_thingspeak_primary_b_from_columns():
    header = (
        "created_at,entry_id,PM1.0_CF1_ug/m3,PM2.5_CF1_ug/m3,PM10.0_CF1_ug/m3,"
        "UptimeMinutes,ADC,Pressure_hpa,IAQ,PM2.5_ATM_ug/m3"
    )
    text = f"{header}\n2020-06-01 00:01:23 UTC,1,4,8,9,100,0.01,1010.2,30,6\n"
    name = TOOL_NAME.format(b=" B", loc="undefined", kind="Primary")
    data = read_purpleair(buffer(text, name))
    assert values(data, "pm25_cf1", "B") == [8.0]
    assert values(data, "pressure") == [1010.2]
    assert values(data, "voc_iaq") == [30.0]
    assert data.sensor_ids == ["purpleair:Backyard"]
    assert "ADC" in data.ledger[0].columns_ignored


def test_thingspeak_secondary_channel_from_file_name():
    text = f"{SECONDARY}\n2020-06-01 00:01:23 UTC,1,900,250,40,3,1,0,5.5,7.5\n"
    name = TOOL_NAME.format(b=" B", loc="undefined", kind="Secondary")
    data = read_purpleair(buffer(text, name))
    assert values(data, "pc_gt03", "B") == [900.0]
    assert values(data, "pc_gt1", "B") == [40.0]
    assert values(data, "pm1_atm", "B") == [5.5]
    assert values(data, "pm10_atm", "B") == [7.5]
    assert any("channel B secondary" in n for n in data.ledger[0].notes)


def test_thingspeak_secondary_without_tool_name_is_channel_a():
    text = f"{SECONDARY}\n2020-06-01 00:01:23 UTC,1,900,250,40,3,1,0,5.5,7.5\n"
    data = read_purpleair(buffer(text, "secondary.csv"))
    assert values(data, "pc_gt03", "A") == [900.0]
    notes = data.ledger[0].notes
    assert any("taken as channel A" in n for n in notes)
    assert any("sensor id was taken from it" in n for n in notes)
    assert data.sensor_ids == ["purpleair:secondary"]


def test_thingspeak_unknown_layout_raises():
    text = "created_at,entry_id,UptimeMinutes,Foo\n2020-06-01 00:01:23 UTC,1,2,3\n"
    with pytest.raises(UnknownLayoutError, match="not a known PurpleAir channel") as info:
        read_purpleair(buffer(text))
    assert "UptimeMinutes,Foo" in str(info.value)
    assert "read_csv_mapped" in str(info.value)


# -- other errors ---------------------------------------------------------------------
def test_not_purpleair_raises():
    with pytest.raises(DataFormatError, match="not a PurpleAir file") as info:
        read_purpleair(buffer("a,b,c\n1,2,3\n"))
    assert "first line: 'a,b,c'" in str(info.value)
    assert "toolkit.load" in str(info.value)


def test_all_timestamps_unreadable_raises():
    text = "time_stamp,sensor_index,pm2.5_atm\nsoon,1,3\nlater,1,4\n"
    with pytest.raises(TimestampError, match="Could not read the timestamps") as info:
        read_purpleair(buffer(text))
    assert "'soon'" in str(info.value)
    assert "ISO 8601" in str(info.value)


def test_header_only_api_csv_raises():
    with pytest.raises(EmptyFileError, match="no data rows") as info:
        read_purpleair(buffer("time_stamp,sensor_index,pm2.5_atm\n"))
    assert "header: time_stamp" in str(info.value)
    assert "Request a period" in str(info.value)


def test_empty_file_raises():
    with pytest.raises(EmptyFileError, match="empty"):
        read_purpleair(buffer(""))


# -- real samples ---------------------------------------------------------------------
@pytest.mark.real_samples
def test_real_samples_load(real_samples):
    from toolkit.readers import sensor_community

    for path in sorted((real_samples / "purpleair").glob("*.csv")):
        raw, text = raw_of(path)
        assert sensor_community.detect(raw, text[:65536]) is None
        assert detect(raw, text[:65536]) is not None, path
        data = read_purpleair(path)
        assert_balanced(data)
        assert data.ledger.balanced


@pytest.mark.real_samples
def test_real_samples_first_detected_as_purpleair(real_samples):
    import importlib

    from toolkit.readers._registry import READERS

    for path in sorted((real_samples / "purpleair").glob("*.csv")):
        raw, text = raw_of(path)
        for source, module_name, _ in READERS:
            try:
                module = importlib.import_module(module_name)
            except ImportError:  # a reader not written yet
                continue
            if module.detect(raw, text[:65536]) is not None:
                assert source == "purpleair", (path.name, source)
                break
        else:
            pytest.fail(f"no reader detected {path.name}")


@pytest.mark.real_samples
def test_real_sample_data_values(real_samples):
    data = read_purpleair(
        real_samples / "purpleair" / "example_pat_data_derived.csv", sensor_id="95189"
    )
    first = data.readings[data.readings["time"] == pd.Timestamp("2024-03-01T08:00:31Z")]
    temperature = first.loc[first["variable"] == "temperature", "value"].iloc[0]
    assert temperature == pytest.approx(1.1111, abs=1e-4)  # 34 °F
    assert data.readings["unit"][data.readings["variable"] == "temperature"].eq("°C").all()
    assert data.ledger[0].rows_read == 1439
    assert data.ledger[0].time_label == "end of the sensor's ~2-minute reading [M]"
    meta = read_purpleair(real_samples / "purpleair" / "example_pat_meta_derived.csv")
    sensor = meta.sensors.iloc[0]
    assert sensor["sensor_id"] == "purpleair:95189"
    assert sensor["location_type"] == "outdoor"
    assert sensor["timezone"] == "America/Los_Angeles"
    assert meta.ledger[0].rows_read == meta.ledger[0].rows_kept == 1


# -- property test --------------------------------------------------------------------
CELL = st.one_of(
    st.floats(min_value=0, max_value=500, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.sampled_from(["", "null", "NA", "nan", "abc", "-"]),
)
TIME = st.one_of(
    st.integers(min_value=0, max_value=10_000).map(
        lambda m: (pd.Timestamp("2024-03-01T00:00:00Z") + pd.Timedelta(minutes=2 * m)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    ),
    st.sampled_from(["", "garbage", "2024-13-45T00:00:00Z"]),
)
ROW = st.one_of(
    st.tuples(TIME, st.lists(CELL, min_size=3, max_size=3)).map(
        lambda t: ",".join([t[0], "95189", *t[1]])
    ),
    st.sampled_from(["", "   ", "1,2", "time_stamp,sensor_index,pm2.5_atm_a,temperature,voc"]),
)
ERROR = '{\n  "error" : "RateLimitExceededError",\n  "description" : "slow down"\n}'


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(ROW, max_size=25), error=st.booleans(), sd=st.booleans())
def test_property_ledger_balances(rows, error, sd):
    header = "time_stamp,sensor_index,pm2.5_atm_a,temperature,voc"
    lines = [header, "2024-03-01T00:00:00Z,95189,1.0,50,20", *rows]
    if error:
        lines.append(ERROR)
    text = "\n".join(lines) + "\n"
    if sd:
        # The same rows as an SD-card log: time, MAC, then three measurements.
        text = text.replace(header, "UTCDateTime,mac_address,pm2_5_atm,current_temp_f,gas")
        text = text.replace("95189", "8:3a:8d:b:a4:fd")
    data = read_purpleair(buffer(text))
    assert_balanced(data)
    record = data.ledger[0]
    assert record.rows_read == record.rows_kept + sum(record.rows_dropped.values())
    assert record.readings_kept == len(data.readings)
    assert data.readings["time"].is_monotonic_increasing


def test_module_constants():
    assert purpleair.SOURCE == "PurpleAir"
    assert purpleair.VARIABLE_MAP["pm2.5_alt"] == ("pm25_alt", "µg/m³")
    assert all(v[0] != "pm25" for v in purpleair.VARIABLE_MAP.values())
