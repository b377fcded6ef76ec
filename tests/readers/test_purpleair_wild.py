"""PurpleAir files as they are found in the wild (issue 13), each from a hand-written reproduction.

* ThingSpeak downloads of the old download tool: the header line ends with a comma
  (11 names, the last empty) while most rows have 10 fields and some end with a comma.
* API history CSVs assembled by people: downloads appended one after another (the header
  repeated), then sorted by a spreadsheet (the header on the last line, or in the middle),
  with an API error object above or between the blocks.
* Files of PurpleAir's Data Download Tool, named
  ``<sensor_index> <start> <end> <N>-Minute Average.csv``.

Expected values are computed by hand: (°F − 32) × 5/9 gives 83 °F = 28.3333 °C,
77 °F = 25 °C, 68 °F = 20 °C and 50 °F = 10 °C; Unix time 1686528000 is
2023-06-12T00:00:00Z (19520 days × 86400 s).
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from tests.conftest import assert_balanced
from toolkit._errors import DataFormatError
from toolkit.readers._io import RawFile
from toolkit.readers.purpleair import detect, read_purpleair

# -- the ThingSpeak download tool's files ---------------------------------------------
#: The real header of a channel A primary file: ten names and a trailing comma.
PRIMARY_A = (
    "created_at,entry_id,PM1.0_CF1_ug/m3,PM2.5_CF1_ug/m3,PM10.0_CF1_ug/m3,UptimeMinutes,"
    "RSSI_dbm,Temperature_F,Humidity_%,PM2.5_ATM_ug/m3,"
)
#: Channel B primary: free memory, ADC, pressure and IAQ in place of uptime, RSSI,
#: temperature and humidity.
PRIMARY_B = (
    "created_at,entry_id,PM1.0_CF1_ug/m3,PM2.5_CF1_ug/m3,PM10.0_CF1_ug/m3,Free_Mem,"
    "ADC,Pressure_hpa,IAQ,PM2.5_ATM_ug/m3,"
)
#: Secondary channels: six particle counts, then PM1 and PM10 ATM.
SECONDARY = (
    "created_at,entry_id,>=0.3um/dl,>=0.5um/dl,>1.0um/dl,>=2.5um/dl,>=5.0um/dl,"
    ">=10.0um/dl,PM1.0_ATM_ug/m3,PM10_ATM_ug/m3,"
)
NAME = "Home{b} ({loc}) (37.8 -122.2) {kind} Real Time 06_01_2023 06_30_2023.csv"


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


def thingspeak(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_thingspeak_trailing_comma_header_keeps_rows_with_and_without_comma():
    rows = [
        "2023-06-01 00:00:35 UTC,1,1.0,2.0,3.0,10,-60,83,32,1.5,",  # trailing comma
        "2023-06-01 00:02:35 UTC,2,1.1,2.1,3.1,12,-61,77,33,1.6",  # 10 fields
        "2023-06-01 00:04:35 UTC,3,1.2,2.2,3.2,14,-62,68,34,1.7",
        "2023-06-01 00:06:35 UTC,4,1.3,2.3,3.3,16,-63,50,35,1.8",
    ]
    name = NAME.format(b="", loc="outside", kind="Primary")
    data = read_purpleair(buffer(thingspeak(PRIMARY_A, rows), name))
    record = data.ledger[0]
    assert (record.rows_read, record.rows_kept, record.rows_dropped) == (4, 4, {})
    # Six measurement columns per row: PM1, PM2.5, PM10 (CF=1), temperature, RH, PM2.5 ATM.
    assert record.values_read == 24
    assert record.readings_kept == 24
    assert record.status == "ok"
    assert values(data, "pm25_cf1", "A") == [2.0, 2.1, 2.2, 2.3]
    assert values(data, "pm25_atm", "A") == [1.5, 1.6, 1.7, 1.8]
    assert values(data, "temperature") == [28.3333, 25.0, 20.0, 10.0]
    assert values(data, "humidity") == [32.0, 33.0, 34.0, 35.0]
    assert "" not in record.columns_ignored  # the empty name is not a column
    assert any("ends with a comma" in n for n in record.notes)
    assert data.readings["time"].min() == pd.Timestamp("2023-06-01T00:00:35Z")
    sensor = data.sensors.iloc[0]
    assert sensor["sensor_id"] == "purpleair:Home"
    assert (sensor["latitude"], sensor["longitude"]) == (37.8, -122.2)
    assert_balanced(data)


def test_thingspeak_real_proportions_lose_nothing():
    # The real case: 9,144 readings of which only the 18 in rows ending with a comma
    # were kept. Here 3 of 120 rows end with a comma; every row must be read.
    rows = []
    for k in range(120):
        minute = 2 * k
        end = "," if k in (0, 50, 119) else ""
        rows.append(
            f"2023-06-01 {minute // 60:02d}:{minute % 60:02d}:00 UTC,{k + 1},"
            f"1.0,2.0,3.0,{k},-60,68,40,2.0{end}"
        )
    data = read_purpleair(buffer(thingspeak(PRIMARY_A, rows), "a.csv"))
    record = data.ledger[0]
    assert record.rows_kept == 120
    assert record.readings_kept == 120 * 6
    assert record.status == "ok"


def test_thingspeak_truncated_row_is_still_dropped_with_a_reason():
    rows = [
        "2023-06-01 00:00:35 UTC,1,1.0,2.0,3.0,10,-60,83,32,1.5,",
        "2023-06-01 00:02:35 UTC,2,1.1,2.1,3.1",  # cut short
        "2023-06-01 00:04:35 UTC,3,1.2,2.2,3.2,14,-62,68,34,1.7,,",  # two empty extras
        "2023-06-01 00:06:35 UTC,4,1.3,2.3,3.3,16,-63,50,35,1.8,99",  # a value too many
    ]
    data = read_purpleair(buffer(thingspeak(PRIMARY_A, rows)))
    record = data.ledger[0]
    assert record.rows_kept == 2
    assert record.rows_dropped == {"row does not have the header's 10 fields": 2}
    examples = record.row_examples["row does not have the header's 10 fields"]
    assert examples == ["line 3: 5 fields", "line 5: 11 fields"]
    assert_balanced(data)


def test_thingspeak_structural_loss_is_partial_not_ok():
    # 3 of 10 rows cut short: 30 % of the rows lost for a structural reason.
    rows = [
        f"2023-06-01 00:{2 * k:02d}:00 UTC,{k},1.0,2.0,3.0,{k},-60,68,40,2.0"
        if k >= 3
        else f"2023-06-01 00:{2 * k:02d}:00 UTC,{k},1.0,2.0"
        for k in range(10)
    ]
    data = read_purpleair(buffer(thingspeak(PRIMARY_A, rows)))
    record = data.ledger[0]
    assert record.rows_dropped == {"row does not have the header's 10 fields": 3}
    assert record.status == "partial"


def test_thingspeak_structural_loss_makes_load_warn_naming_the_file(tmp_path):
    path = tmp_path / NAME.format(b="", loc="outside", kind="Primary")
    rows = [f"2023-06-01 00:{2 * k:02d}:00 UTC,{k},1.0,2.0,3.0,{k},-60,68,40,2.0" for k in range(9)]
    rows.append("2023-06-01 00:20:00 UTC,10,1.0")  # 1 of 10 rows cut short: 10 %
    path.write_text(thingspeak(PRIMARY_A, rows))
    with pytest.warns(UserWarning, match="only partly read") as caught:
        data = toolkit.load(path)
    assert path.name in str(caught[0].message)
    assert data.ledger[0].status == "partial"
    assert "row does not have the header's 10 fields" in str(caught[0].message)


def test_thingspeak_all_four_channel_files():
    pm = "2023-06-01 00:00:35 UTC,1,1.0,2.0,3.0,10,{mid},4.0,"
    counts = "2023-06-01 00:00:35 UTC,1,900,250,40,3,1,0,5.5,7.5"
    files = {
        NAME.format(b="", loc="outside", kind="Primary"): (PRIMARY_A, pm.format(mid="-60,77,30")),
        NAME.format(b="", loc="outside", kind="Secondary"): (SECONDARY, counts),
        NAME.format(b=" B", loc="undefined", kind="Primary"): (
            PRIMARY_B,
            pm.format(mid="0.02,1013.2,25"),
        ),
        NAME.format(b=" B", loc="undefined", kind="Secondary"): (SECONDARY, counts + ","),
    }
    parts = [read_purpleair(buffer(thingspeak(h, [row]), name)) for name, (h, row) in files.items()]
    a_primary, a_secondary, b_primary, b_secondary = parts
    assert values(a_primary, "pm25_cf1", "A") == [2.0]
    assert values(a_primary, "temperature") == [25.0]
    assert values(a_secondary, "pc_gt03", "A") == [900.0]
    assert values(a_secondary, "pm10_atm", "A") == [7.5]
    assert values(b_primary, "pm25_cf1", "B") == [2.0]
    assert values(b_primary, "pressure") == [1013.2]
    assert values(b_primary, "voc_iaq") == [25.0]
    assert "free memory" in b_primary.ledger[0].columns_ignored["Free_Mem"]
    assert values(b_secondary, "pc_gt05", "B") == [250.0]
    assert values(b_secondary, "pm1_atm", "B") == [5.5]
    for part in parts:
        assert part.sensor_ids == ["purpleair:Home"]
        assert part.ledger[0].rows_kept == 1
        assert part.ledger[0].status == "ok"


def test_thingspeak_trailing_comma_via_load(tmp_path):
    path = tmp_path / NAME.format(b="", loc="outside", kind="Primary")
    rows = [
        "2023-06-01 00:00:35 UTC,1,1.0,2.0,3.0,10,-60,83,32,1.5",
        "2023-06-01 00:02:35 UTC,2,1.1,2.1,3.1,12,-61,77,33,1.6,",
    ]
    path.write_text(thingspeak(PRIMARY_A, rows))
    data = toolkit.load(path)
    assert data.ledger[0].format == "purpleair/thingspeak_csv"
    assert data.ledger[0].rows_kept == 2


# -- API history CSVs assembled by people ---------------------------------------------
API_HEADER = "time_stamp,sensor_index,humidity,temperature,pm2.5_atm_a,pm2.5_atm_b"
ERROR_LINE = (
    '{"api_version" : "V1.0.11-0.0.42", "time_stamp" : 1686528600, "error" : '
    '"RateLimitExceededError", "description" : "Rate limit exceeded. Try again later."}'
)
ERROR_LINES = [
    "{",
    '  "api_version" : "V1.0.11-0.0.42",',
    '  "time_stamp" : 1686528600,',
    '  "error" : "RateLimitExceededError",',
    '  "description" : "Rate limit exceeded. Try again later."',
    "}",
]


def api_row(k: int, pm: float) -> str:
    """One 10-minute row from 2023-06-12T00:00:00Z (Unix 1686528000) on."""
    return f"{1686528000 + 600 * k},159965,40,68,{pm},{pm + 1}"


def test_api_csv_sorted_header_on_last_line():
    # Rows written out of order by the API, then sorted by a spreadsheet: the header,
    # starting with a letter, sorts after the numbers.
    rows = sorted([api_row(2, 3.0), api_row(0, 1.0), api_row(1, 2.0)])
    text = "\n".join([*rows, API_HEADER]) + "\n"
    raw = RawFile("sorted.csv", text.encode(), "")
    assert detect(raw, text) == "api_history_csv"
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    assert (record.rows_read, record.rows_kept, record.rows_dropped) == (3, 3, {})
    assert values(data, "pm25_atm", "A") == [1.0, 2.0, 3.0]
    assert values(data, "pm25_atm", "B") == [2.0, 3.0, 4.0]
    assert values(data, "temperature") == [20.0, 20.0, 20.0]
    assert data.readings["time"].min() == pd.Timestamp("2023-06-12T00:00:00Z")
    assert any("header line is line 4" in n for n in record.notes)
    assert data.sensor_ids == ["purpleair:159965"]
    assert_balanced(data)


def test_api_csv_appended_downloads_then_sorted():
    # Two downloads appended (header twice), then sorted: both headers at the end.
    first = [API_HEADER, api_row(0, 1.0), api_row(1, 2.0)]
    second = [API_HEADER, api_row(2, 3.0), api_row(3, 4.0)]
    text = "\n".join(sorted(first + second)) + "\n"
    assert text.rstrip().endswith(f"{API_HEADER}\n{API_HEADER}")
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    assert record.rows_read == 5  # four data rows and the second header
    assert record.rows_kept == 4
    assert record.rows_dropped == {"repeated header line (written again by the download)": 1}
    assert values(data, "pm25_atm", "A") == [1.0, 2.0, 3.0, 4.0]
    assert record.status == "ok"
    assert_balanced(data)


def test_api_csv_header_in_the_middle():
    text = "\n".join([api_row(0, 1.0), API_HEADER, api_row(1, 2.0), api_row(2, 3.0)]) + "\n"
    assert detect(RawFile("m.csv", text.encode(), ""), text) == "api_history_csv"
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    assert (record.rows_read, record.rows_kept) == (3, 3)
    assert any("header line is line 2" in n and "1 data row(s)" in n for n in record.notes)
    assert values(data, "pm25_atm", "A") == [1.0, 2.0, 3.0]


def test_api_csv_error_object_above_the_header():
    text = "\n".join([ERROR_LINE, API_HEADER, api_row(0, 1.0), api_row(1, 2.0)]) + "\n"
    assert detect(RawFile("e.csv", text.encode(), ""), text) == "api_history_csv"
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    reason = "PurpleAir API error message written into the file (RateLimitExceededError)"
    assert record.rows_read == 3
    assert record.rows_dropped == {reason: 1}
    assert record.rows_kept == 2
    assert record.status == "ok"  # an error message is not a loss of data rows
    assert any("Rate limit exceeded. Try again later." in n for n in record.notes)
    assert_balanced(data)


def test_api_csv_multi_line_error_object_between_blocks():
    lines = [
        API_HEADER,
        api_row(0, 1.0),
        *ERROR_LINES,
        API_HEADER,
        api_row(1, 2.0),
        api_row(2, 3.0),
    ]
    text = "\n".join(lines) + "\n"
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    reason = "PurpleAir API error message written into the file (RateLimitExceededError)"
    assert record.rows_read == 1 + 6 + 1 + 2
    assert record.rows_dropped == {
        reason: 6,
        "repeated header line (written again by the download)": 1,
    }
    assert values(data, "pm25_atm", "A") == [1.0, 2.0, 3.0]
    assert_balanced(data)


def test_api_csv_error_object_first_and_header_last_via_load(tmp_path):
    # A multi-line error object at the top, then data, then the header (sorted).
    rows = sorted([api_row(1, 2.0), api_row(0, 1.0)])
    path = tmp_path / "assembled.csv"
    path.write_text("\n".join([*ERROR_LINES, *rows, API_HEADER]) + "\n")
    data = toolkit.load(path)
    record = data.ledger[0]
    assert record.format == "purpleair/api_history_csv"
    assert record.rows_kept == 2
    assert sum(record.rows_dropped.values()) == 6


def test_api_csv_out_of_place_error_lines_are_dropped_with_reason():
    # A sorted multi-line error object: its lines scattered (here: below the header).
    rows = [api_row(0, 1.0), api_row(1, 2.0), API_HEADER, *sorted(ERROR_LINES[1:-1])]
    data = read_purpleair(buffer("\n".join(rows) + "\n"))
    record = data.ledger[0]
    reason = "PurpleAir API error message written into the file (a line of it, out of place)"
    assert record.rows_dropped == {reason: 4}
    assert record.rows_kept == 2
    assert any("RateLimitExceededError" in n for n in record.notes)
    assert_balanced(data)


def test_api_csv_header_beyond_the_first_64_kib_is_found(tmp_path):
    # About 110 KB of sorted rows; the header is only at the end.
    rows = sorted(api_row(k, 1.0 + k % 7) for k in range(3500))
    text = "\n".join([*rows, API_HEADER]) + "\n"
    assert len(text) > 100_000
    path = tmp_path / "big_sorted.csv"
    path.write_text(text)
    raw = RawFile(str(path), path=path)
    assert detect(raw, text[:65536]) == "api_history_csv"
    assert not raw.loaded  # only the head and the tail were read
    data = toolkit.load(path)
    assert data.ledger[0].rows_kept == 3500
    assert len(data.readings) == 3500 * 4


def test_rows_without_any_header_are_not_claimed():
    text = "\n".join(api_row(k, 1.0) for k in range(3)) + "\n"
    assert detect(RawFile("x.csv", text.encode(), ""), text) is None
    with pytest.raises(DataFormatError, match="not a PurpleAir file"):
        read_purpleair(buffer(text))


def test_other_text_above_a_header_is_not_claimed():
    text = f"hello,world,again\n{API_HEADER}\n{api_row(0, 1.0)}\n"
    assert detect(RawFile("x.csv", text.encode(), ""), text) is None


def test_api_history_json_is_still_json():
    text = (
        '{"api_version": "V1.0.11", "sensor_index": 159965, "average": 10, '
        '"fields": ["time_stamp", "pm2.5_atm"], "data": [[1686528000, 2.5]]}'
    )
    assert detect(RawFile("h.json", text.encode(), ""), text) == "api_history_json"
    pretty = text.replace(", ", ",\n  ").replace("[", "[\n    ")
    assert detect(RawFile("h.json", pretty.encode(), ""), pretty) == "api_history_json"


def test_appended_files_with_a_byte_order_mark_each():
    block = "\ufeff" + "\n".join([API_HEADER, api_row(0, 1.0)]) + "\n"
    second = "\ufeff" + "\n".join([API_HEADER, api_row(1, 2.0)]) + "\n"
    data = read_purpleair(buffer(block + second))
    record = data.ledger[0]
    assert record.rows_kept == 2
    assert record.rows_dropped == {"repeated header line (written again by the download)": 1}


# -- the Data Download Tool's file names -----------------------------------------------
TOOL_HEADER = "time_stamp,humidity,temperature,pm2.5_atm_a,pm2.5_atm_b"


def tool_rows(step_minutes: int) -> str:
    rows = [
        f"2023-06-16T{(step_minutes * k) // 60:02d}:{(step_minutes * k) % 60:02d}:00Z,40,77,"
        f"{k + 1}.0,{k + 2}.0"
        for k in range(4)
    ]
    return "\n".join([TOOL_HEADER, *rows]) + "\n"


def test_download_tool_name_gives_sensor_index_and_average():
    name = "159965 2023-06-16 2023-07-26 10-Minute Average.csv"
    data = read_purpleair(buffer(tool_rows(10), name))
    record = data.ledger[0]
    assert data.sensor_ids == ["purpleair:159965"]
    assert data.sensors.iloc[0]["name"] == "PurpleAir 159965"
    assert record.time_label == "start of the 10-minute averaging interval [M]"
    assert any(
        "sensor 159965, 2023-06-16 to 2023-07-26" in n and "10-minute averages" in n
        for n in record.notes
    )
    assert values(data, "pm25_atm", "A") == [1.0, 2.0, 3.0, 4.0]
    assert values(data, "temperature") == [25.0] * 4


def test_download_tool_real_time_name():
    name = "159965 2023-06-16 2023-06-17 0-Minute Average.csv"
    data = read_purpleair(buffer(tool_rows(2), name))
    assert data.ledger[0].time_label == "end of the sensor's ~2-minute reading [M]"
    assert any("real time" in n for n in data.ledger[0].notes)


def test_download_tool_name_downloaded_twice_and_spacing_check():
    name = "7920 2023-04-01 2023-10-01 60-Minute Average (1).csv"
    data = read_purpleair(buffer(tool_rows(10), name))
    assert data.sensor_ids == ["purpleair:7920"]
    # The rows are 10 minutes apart, not 60: said, not hidden.
    assert any("closer than the 60 minutes" in n for n in data.ledger[0].notes)


def test_download_tool_name_via_load(tmp_path):
    path = tmp_path / "159965 2023-06-16 2023-07-26 10-Minute Average.csv"
    path.write_text(tool_rows(10))
    data = toolkit.load(path)
    assert data.sensor_ids == ["purpleair:159965"]


def test_sensor_index_column_wins_over_the_file_name():
    name = "159965 2023-06-16 2023-07-26 10-Minute Average.csv"
    text = "time_stamp,sensor_index,pm2.5_atm\n2023-06-16T00:00:00Z,131707,3.0\n"
    data = read_purpleair(buffer(text, name))
    assert data.sensor_ids == ["purpleair:131707"]


def test_other_file_names_still_give_the_stem():
    data = read_purpleair(buffer(tool_rows(10), "my sensor.csv"))
    assert data.sensor_ids == ["purpleair:my sensor"]


def test_api_csv_big_error_object_first_and_header_last(tmp_path):
    # Over 64 KiB: the multi-line error object and data rows fill the head; the header
    # is only in the tail.
    rows = sorted(api_row(k, 2.0) for k in range(3500))
    path = tmp_path / "assembled_big.csv"
    path.write_text("\n".join([*ERROR_LINES, *rows, API_HEADER]) + "\n")
    raw = RawFile(str(path), path=path)
    assert detect(raw, path.read_text()[:65536]) == "api_history_csv"
    data = toolkit.load(path)
    record = data.ledger[0]
    assert record.rows_kept == 3500
    assert record.rows_dropped == {
        "PurpleAir API error message written into the file (RateLimitExceededError)": 6
    }


def test_archive_rewrite_with_an_id_column_first():
    # A community archive that re-wrote the API's history as id,time_stamp,<fields>.
    text = (
        "id,time_stamp,pm2.5_alt_a,pm2.5_atm_a,temperature,humidity\n"
        "149970,1686528600,1.10,0.96,77,45\n"
        "149970,1686528000,1.30,1.08,68,44.4\n"
    )
    assert detect(RawFile("x.csv", text.encode(), ""), text) == "api_history_csv"
    data = read_purpleair(buffer(text, "sensor-149970-1686528000-1686528600.csv"))
    assert data.sensor_ids == ["purpleair:149970"]
    # Sorted by time: 1686528000 (00:00Z) first.
    assert values(data, "pm25_atm", "A") == [1.08, 0.96]
    assert values(data, "pm25_alt", "A") == [1.3, 1.1]
    assert values(data, "temperature") == [20.0, 25.0]
    assert any("named 'id'" in n for n in data.ledger[0].notes)
    assert_balanced(data)


@settings(max_examples=60, deadline=None)
@given(order=st.permutations(list(range(8))), copies=st.integers(min_value=1, max_value=3))
def test_any_order_of_appended_lines_reads_every_row(order, copies):
    # Five data rows, an error object and the header written `copies` times, in any order:
    # every data row is read, each extra header and the error line are dropped with a
    # reason, and the ledger balances.
    lines = [api_row(k, float(k)) for k in range(5)] + [ERROR_LINE, API_HEADER, API_HEADER]
    text = "\n".join([lines[i] for i in order] + [API_HEADER] * (copies - 1)) + "\n"
    data = read_purpleair(buffer(text))
    record = data.ledger[0]
    assert record.rows_kept == 5
    assert record.rows_dropped == {
        "PurpleAir API error message written into the file (RateLimitExceededError)": 1,
        "repeated header line (written again by the download)": copies,
    }
    assert sorted(values(data, "pm25_atm", "A")) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert record.status == "ok"
    assert_balanced(data)


# -- SD-card logs of firmware 6 and later ----------------------------------------------
SD_HEADER = (
    "UTCDateTime,mac_address,firmware_ver,hardware,current_temp_f,current_humidity,"
    "current_dewpoint_f,pressure,adc,mem,rssi,uptime,pm1_0_cf_1,pm2_5_cf_1,pm10_0_cf_1,"
    "pm1_0_atm,pm2_5_atm,pm10_0_atm,pm2.5_aqi_cf_1,pm2.5_aqi_atm,p_0_3_um,p_0_5_um,"
    "p_1_0_um,p_2_5_um,p_5_0_um,p_10_0_um,pm1_0_cf_1_b,pm2_5_cf_1_b,pm10_0_cf_1_b,"
    "pm1_0_atm_b,pm2_5_atm_b,pm10_0_atm_b,pm2.5_aqi_cf_1_b,pm2.5_aqi_atm_b,p_0_3_um_b,"
    "p_0_5_um_b,p_1_0_um_b,p_2_5_um_b,p_5_0_um_b,p_10_0_um_b,gas"
)


def sd_row(time: str, pm25: str, end: str = "") -> str:
    # A sensor with a BME280 (no BME680): 40 fields, no value for the header's 'gas'.
    a = f"1.0,{pm25},3.0,1.0,{pm25},3.0,10,10,70.0,40.0,1.0,0.0,0.0,0.0"
    return (
        f"{time},98:cd:ac:10:f7:ba,6.01,2.0+OPENLOG+DS3231+BME280+PMSX003-B+PMSX003-A,"
        f"68,25,48,1021.4,0.00,35640,-69,959,{a},{a}{end}"
    )


def test_sd_rows_without_the_gas_field_are_read():
    rows = [sd_row("2022/06/29T00:01:00z", "2.0"), sd_row("2022/06/29T00:03:00z", "4.0")]
    assert len(rows[0].split(",")) == len(SD_HEADER.split(",")) - 1
    data = read_purpleair(buffer("\r\n".join([SD_HEADER, *rows]) + "\r\n"))
    record = data.ledger[0]
    assert (record.rows_read, record.rows_kept, record.rows_dropped) == (2, 2, {})
    # 29 measurement columns a row (4 met., gas, 12 PM and 12 counts over A and B);
    # gas has no value: an empty field, not a loss.
    assert record.values_read == 58
    assert record.readings_dropped == {"empty field": 2}
    assert record.status == "ok"
    assert values(data, "pm25_cf1", "A") == [2.0, 4.0]
    assert values(data, "pm25_atm", "B") == [2.0, 4.0]
    assert values(data, "temperature") == [20.0, 20.0]
    assert any("last column 'gas'" in n for n in record.notes)
    assert_balanced(data)


def test_sd_ctrl_z_padding_is_removed():
    rows = [
        sd_row("2022/06/29T00:01:00z", "2.0", end="\x1a\x1a\x1a"),
        sd_row("2022/06/29T00:03:00z", "4.0"),
    ]
    data = read_purpleair(buffer("\r\n".join([SD_HEADER, *rows]) + "\r\n"))
    record = data.ledger[0]
    assert record.readings_dropped == {"empty field": 2}  # only the absent gas values
    # The last field of the padded row (p_10_0_um_b, 0.0) is read.
    assert values(data, "pc_gt10", "B") == [0.0, 0.0]
    assert any("Ctrl-Z" in n and "1 line(s)" in n for n in record.notes)


def test_sd_row_two_fields_short_is_still_dropped():
    rows = [sd_row("2022/06/29T00:01:00z", "2.0"), sd_row("2022/06/29T00:03:00z", "4.0")[:-4]]
    data = read_purpleair(buffer("\n".join([SD_HEADER, *rows]) + "\n"))
    assert data.ledger[0].rows_dropped == {"row does not have the header's 41 fields": 1}
