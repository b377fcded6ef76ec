"""Hostile files: each ends in a clear toolkit error or a ledger entry, never a bare library
exception that escapes ``load(errors="collect")``.

Every fixture is a minimal reproduction written by hand from the description of the
problem: UTF-16 text with a byte-order mark (Excel's "Unicode text"), repeated column
names, times outside the range pandas can store, damaged ``.gz`` and zip files, and a
reader bug caught by the safety net of :func:`toolkit.load`.
"""

from __future__ import annotations

import gzip
import io
import warnings
import zipfile
import zlib

import pandas as pd
import pytest

import toolkit
from toolkit._errors import (
    DataFormatError,
    ReaderError,
    TimestampError,
    ToolkitError,
    UnknownLayoutError,
)
from toolkit.cli import main
from toolkit.readers import read_sensor_community

from ..conftest import assert_balanced

HEADER = "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2"
ROWS = (
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:27:23;9.53;;;2.83;;",
    "5331;SDS011;2688;57.128;-2.130;2017-08-30T11:29:48;9.13;;;2.53;;",
)
ARCHIVE = "\n".join([HEADER, *ROWS]) + "\n"
#: The four values of ARCHIVE, in file order (PM10 then PM2.5 for each row).
VALUES = [9.53, 2.83, 9.13, 2.53]


class Named(io.BytesIO):
    """An open file with a name, as ``load`` sees one from disk."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def load_quietly(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return toolkit.load(*args, **kwargs)


# -- 1. UTF-16 with a byte-order mark ------------------------------------------------------
@pytest.mark.parametrize(
    ("bom", "codec"), [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")], ids=["LE", "BE"]
)
@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_utf16_archive_is_read(bom, codec, delimiter):
    text = ARCHIVE.replace(";", delimiter).replace("\n", "\r\n")  # as Excel writes it
    data = load_quietly(Named(bom + text.encode(codec), "2017-08-30_sds011_sensor_5331.txt"))
    assert data.readings["value"].tolist() == VALUES
    assert data.readings["variable"].astype(str).tolist() == ["pm10", "pm25"] * 2
    assert data.readings["time"].iloc[0] == pd.Timestamp("2017-08-30 11:27:23", tz="UTC")
    record = data.ledger[0]
    assert record.status == "ok"
    assert "text decoded as utf-16 (not UTF-8)" in record.notes
    assert_balanced(data)


def test_utf16_archive_on_disk_and_gzipped(tmp_path):
    raw = b"\xff\xfe" + ARCHIVE.encode("utf-16-le")
    plain = tmp_path / "2017-08-30_sds011_sensor_5331.csv"
    plain.write_bytes(raw)  # read from the path: pyarrow must not get the UTF-16 bytes
    packed = tmp_path / "2017-08-31_sds011_sensor_5331.csv.gz"
    packed.write_bytes(gzip.compress(raw))
    data = load_quietly(tmp_path)
    assert [r.status for r in data.ledger] == ["ok", "ok"]
    assert len(data.readings) == 8
    assert_balanced(data)


def test_utf16_cut_in_the_middle_of_a_character_still_reads():
    raw = b"\xff\xfe" + ARCHIVE.encode("utf-16-le")
    data = load_quietly(Named(raw[:-3], "cut.csv"))  # the last row loses its end
    assert data.readings["value"].tolist()[:2] == VALUES[:2]
    assert_balanced(data)


# -- 2. Repeated column names --------------------------------------------------------------
def test_archive_with_a_repeated_column_reads_the_first_and_says_why_not_the_other():
    text = ARCHIVE.replace("ratioP2", "P1", 1).replace(";;\n", ";;77\n")
    data = load_quietly(Named(text.encode(), "2017-08-30_sds011_sensor_5331.csv"))
    assert data.readings["value"].tolist() == VALUES  # 77 (the second P1) is not read
    record = data.ledger[0]
    assert "P1.1" in record.columns_ignored
    assert "repeats the name 'P1'" in record.columns_ignored["P1.1"]
    assert any("names a column more than once: P1" in n for n in record.notes)
    assert_balanced(data)


def test_archive_header_after_blank_lines_and_with_spaces():
    text = "\n\n" + HEADER.replace(";P1;", "; P1 ;") + "\n" + "\n".join(ROWS) + "\n"
    data = load_quietly(Named(text.encode(), "2017-08-30_sds011_sensor_5331.csv"))
    assert data.readings["value"].tolist() == VALUES
    assert_balanced(data)


MAPPED = "time,pm25,pm25\n2024-03-01T14:00:00Z,12,13\n2024-03-01T15:00:00Z,14,15\n"


def test_mapped_csv_with_a_repeated_column_reads_the_first_and_says_so():
    data = toolkit.readers.read_csv_mapped(
        io.BytesIO(MAPPED.encode()), time="time", values={"pm25": ("pm25", "µg/m³")}
    )
    assert data.readings["value"].tolist() == [12.0, 14.0]  # not 13, 15 (the repeat)
    record = data.ledger[0]
    assert "pm25.1" in record.columns_ignored
    assert any("repeats column names" in n for n in record.notes)
    assert_balanced(data)


def test_unknown_csv_with_repeated_columns_is_a_toolkit_error():
    with pytest.raises(ToolkitError):
        toolkit.load(Named(MAPPED.encode(), "export.csv"))


# -- 3. Times outside the years 1677-2262 --------------------------------------------------
@pytest.mark.parametrize("year", ["9999", "1500"])
def test_rows_with_times_pandas_cannot_store_are_dropped_with_a_reason(year):
    text = ARCHIVE.replace("2017-08-30T11:29:48", f"{year}-08-30T11:29:48")
    data = load_quietly(Named(text.encode(), "2017-08-30_sds011_sensor_5331.csv"))
    assert data.readings["value"].tolist() == VALUES[:2]
    record = data.ledger[0]
    reason = "timestamp outside the years 1677-2262 (implausible time)"
    assert record.rows_dropped == {reason: 1}
    assert record.row_examples[reason][0].startswith(f"{year}-08-30")
    assert_balanced(data)


def test_times_pandas_cannot_store_in_parse_times_directly():
    from toolkit._time import parse_times

    parsed = parse_times(
        pd.Series(["2024-01-01T00:00:00+01:00", "9999-12-31T23:59:59+01:00", ""]),
        file="x.csv",
    )
    assert parsed.times.iloc[0] == pd.Timestamp("2023-12-31 23:00", tz="UTC")
    assert pd.isna(parsed.times.iloc[1])
    assert parsed.out_of_range.tolist() == [False, True, False]
    assert parsed.unreadable.tolist() == [False, True, False]
    assert parsed.missing.tolist() == [False, False, True]
    assert str(parsed.times.dtype) == "datetime64[ns, UTC]"
    epochs = parse_times(pd.Series([1.7e9, 1e13]), epoch_unit="s")  # 1e13 s: year 318857
    assert epochs.out_of_range.tolist() == [False, True]
    naive = parse_times(
        pd.Series(pd.to_datetime(["2024-06-01", "1500-06-01"]).as_unit("s")), timezone="UTC"
    )
    assert naive.out_of_range.tolist() == [False, True]


def test_all_times_out_of_range_is_a_timestamp_error():
    text = ARCHIVE.replace("2017-08-30T", "9999-08-30T")
    with pytest.raises(TimestampError, match="outside the years 1677-2262"):
        toolkit.load(Named(text.encode(), "2017-08-30_sds011_sensor_5331.csv"))


# -- 4. Damaged .gz and zip files ----------------------------------------------------------
def _gz() -> bytes:
    return gzip.compress(ARCHIVE.encode(), mtime=0)


def _bad_crc(data: bytes) -> bytes:
    return data[:-8] + bytes([data[-8] ^ 0xFF]) + data[-7:]  # the CRC-32 of the trailer


@pytest.mark.parametrize(
    "damaged",
    [
        pytest.param(_gz()[:30], id="truncated"),
        pytest.param(_bad_crc(_gz()), id="bad-crc"),
        pytest.param(b"\x1f\x8b\x08\x00" + b"garbage" * 10, id="header-then-garbage"),
        pytest.param(_gz() + b"trailing garbage", id="trailing-garbage"),
    ],
)
def test_damaged_gzip_is_a_data_format_error_naming_the_file(damaged):
    with pytest.raises(DataFormatError, match="gzip-compressed") as caught:
        toolkit.load(Named(damaged, "2017-08-30_sds011_sensor_5331.csv.gz"))
    assert caught.value.file == "2017-08-30_sds011_sensor_5331.csv.gz"
    assert not isinstance(caught.value, ReaderError)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _flip_member_data(data: bytes, member: bytes) -> bytes:
    """Flip one byte of a member's data, leaving the headers and other members intact.

    The member's name first appears in its local header, which the data follows
    directly (``writestr`` adds no extra field).
    """
    start = data.index(member) + len(member) + 5
    return data[:start] + bytes([data[start] ^ 0x20]) + data[start + 1 :]


def test_zip_member_with_a_bad_crc_fails_alone():
    good, bad = "2017-08-30_sds011_sensor_5331.csv", "2017-08-31_sds011_sensor_5331.csv"
    data = _zip({bad: ARCHIVE.encode(), good: ARCHIVE.encode()})
    damaged = _flip_member_data(data, bad.encode())
    result = load_quietly(Named(damaged, "month.zip"))
    status = {r.path: r.status for r in result.ledger}
    assert status == {f"month.zip::{bad}": "failed", f"month.zip::{good}": "ok"}
    failed = result.ledger.failed[0]
    assert isinstance(failed.exception, DataFormatError)
    assert not isinstance(failed.exception, ReaderError)
    assert "could not be extracted" in failed.error
    assert "Bad CRC-32" in failed.error
    assert result.readings["value"].tolist() == VALUES


def test_zip_with_damaged_deflate_data_is_a_data_format_error():
    data = bytearray(_zip({"a.csv": ARCHIVE.encode() * 20}, zipfile.ZIP_DEFLATED))
    data[45] ^= 0x55  # inside the compressed data of the only member
    with pytest.raises(DataFormatError, match="could not be extracted") as caught:
        toolkit.load(Named(bytes(data), "day.zip"))
    assert caught.value.file == "day.zip::a.csv"


def test_zip_with_a_truncated_central_directory_is_a_data_format_error():
    data = _zip({"a.csv": ARCHIVE.encode()})
    cut = data[: data.index(b"PK\x01\x02") + 10]
    with pytest.raises(DataFormatError, match="zip archive could not be opened") as caught:
        toolkit.load(Named(cut, "day.zip"))
    assert caught.value.file == "day.zip"


def test_damaged_gzip_inside_a_zip_fails_alone():
    data = _zip({"a.csv.gz": _gz()[:25], "b.csv": ARCHIVE.encode()})
    result = load_quietly(Named(data, "two.zip"))
    assert [r.status for r in result.ledger] == ["failed", "ok"]
    assert "gzip-compressed" in result.ledger[0].error
    assert len(result.readings) == 4


def test_damaged_member_read_by_a_reader_directly():
    data = _zip({"a.csv": ARCHIVE.encode(), "b.csv": ARCHIVE.encode()})
    damaged = _flip_member_data(data, b"a.csv")
    result = read_sensor_community(io.BytesIO(damaged))
    assert [r.status for r in result.ledger] == ["failed", "ok"]
    assert result.ledger[0].path.endswith("::a.csv")


# -- 5. The safety net -------------------------------------------------------------------
def _break_reader(monkeypatch, error: BaseException) -> None:
    """Make the Sensor.Community reader raise ``error`` (a stand-in for a reader bug)."""
    import toolkit.loading as loading

    real = loading._modules

    def broken(raw, **options):
        raise error

    def modules():
        return [
            (name, module, broken if name == "sensor_community" else function)
            for name, module, function in real()
        ]

    monkeypatch.setattr(loading, "_modules", modules)


def test_an_unexpected_reader_error_becomes_a_failed_record(monkeypatch, tmp_path, data_dir):
    (tmp_path / "a_sds011.csv").write_text(ARCHIVE)
    other = (data_dir / "purpleair" / "api_history.json").read_bytes()
    (tmp_path / "b_purpleair.json").write_bytes(other)
    _break_reader(monkeypatch, KeyError(24))
    with pytest.warns(UserWarning, match="could not be read"):
        data = toolkit.load(tmp_path)
    failed = data.ledger.failed
    assert [r.path for r in failed] == [str(tmp_path / "a_sds011.csv")]
    error = failed[0].exception
    assert isinstance(error, ReaderError)
    assert isinstance(error, DataFormatError)
    assert isinstance(error.__cause__, KeyError)
    text = failed[0].error
    assert "The reader could not read this file (an unexpected problem)." in text
    assert "a_sds011.csv" in text
    assert "KeyError: 24" in text
    assert "report" in text
    assert len(data.ledger) == 2
    assert data.ledger[1].status == "ok"  # the other file was still read


def test_errors_raise_chains_the_reader_error_to_the_original(monkeypatch):
    _break_reader(monkeypatch, zlib.error("Error -3 while decompressing data"))
    with pytest.raises(ReaderError, match="unexpected problem") as caught:
        toolkit.load(Named(ARCHIVE.encode(), "x.csv"), errors="raise")
    assert isinstance(caught.value.__cause__, zlib.error)
    assert "error: Error -3 while decompressing data" in str(caught.value)


def test_a_single_file_hitting_the_safety_net_raises_the_reader_error(monkeypatch):
    _break_reader(monkeypatch, IndexError("list index out of range"))
    with pytest.raises(ReaderError) as caught:
        toolkit.load(Named(ARCHIVE.encode(), "x.csv"))
    assert isinstance(caught.value.__cause__, IndexError)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), MemoryError(), SystemExit(3)])
def test_the_safety_net_lets_interrupts_and_memory_errors_through(monkeypatch, error):
    _break_reader(monkeypatch, error)
    with pytest.raises(type(error)):
        toolkit.load(Named(ARCHIVE.encode(), "x.csv"))


def test_inspect_reports_a_reader_bug_and_goes_on(monkeypatch, tmp_path, capsys, data_dir):
    (tmp_path / "a.csv").write_text(ARCHIVE)
    (tmp_path / "b.json").write_bytes((data_dir / "purpleair" / "api_history.json").read_bytes())
    _break_reader(monkeypatch, ValueError("boom"))
    assert main(["inspect", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "unexpected problem" in captured.out
    assert "ValueError: boom" in captured.out


# -- 6. Crashes found by tests/test_fuzz_readers.py, as minimal reproductions ------------
def test_unknown_layout_with_offsets_that_change_is_explained():
    """The mapping suggestion once parsed mixed offsets without utc=True (ValueError)."""
    text = "when,reading\n2024-03-01T14:00:00+01:00,5\n2024-07-01T14:00:00+02:00,6\n"
    with pytest.raises(UnknownLayoutError):
        toolkit.load(Named(text.encode(), "logger.csv"))


EXPLORER = (
    "location_id,location_name,parameter,value,unit,datetimeUtc,datetimeLocal,timezone,"
    "latitude,longitude,country_iso,isMobile,isMonitor,owner_name,provider\n"
    '1612333,"AQ-Toronto-Annex","pm25",4.5,"µg/m³","2025-09-01T01:00:00Z",'
    '"2025-08-31T21:00:00-04:00","America/Toronto",43.6692007,-79.408185,,,,"Unknown","AirGradient"\n'
)


def test_openaq_explorer_csv_without_its_optional_columns_still_reads():
    """A damaged header once lost 'timezone' and the reader raised KeyError('timezone')."""
    text = EXPLORER.replace(",timezone,", ",timezonf,", 1)
    data = load_quietly(Named(text.encode(), "openaq.csv"))
    assert data.readings["value"].tolist() == [4.5]
    assert data.ledger[0].status == "ok"
    assert_balanced(data)


def test_openaq_explorer_csv_without_a_needed_column_is_a_missing_column_error():
    from toolkit._errors import MissingColumnError

    text = EXPLORER.replace(",latitude,", ",latitudf,", 1)
    with pytest.raises(MissingColumnError, match="'latitude'"):
        toolkit.load(Named(text.encode(), "openaq.csv"))


def test_latin1_archive_with_a_row_of_the_wrong_width():
    """pyarrow reports the undecodable bad row as an ignored exception; it must stay quiet."""
    text = ARCHIVE + "5331;SDS011;M\xfcnchen;57.128;-2.130;2017-08-30T11:31:00;9.1;;;2.5;;;\n"
    data = load_quietly(Named(text.encode("latin-1"), "2017-08-30_sds011_sensor_5331.csv"))
    record = data.ledger[0]
    assert "text decoded as latin-1 (not UTF-8)" in record.notes
    assert record.rows_dropped == {"row does not have the header's 12 fields": 1}
    assert data.readings["value"].tolist() == VALUES


def test_archive_with_a_non_utf8_byte_in_the_timestamps():
    """pyarrow infers such a column as binary; it is read again as Latin-1 text."""
    text = ARCHIVE.replace("2017-08-30T11:29:48", "2017-08-30T11:29:4\xa4")
    data = load_quietly(Named(text.encode("latin-1"), "2017-08-30_sds011_sensor_5331.csv"))
    assert data.readings["value"].tolist() == VALUES[:2]
    assert data.ledger[0].rows_dropped == {"timestamp could not be read": 1}


def test_a_lone_carriage_return_inside_a_field():
    """The csv module refuses a bare CR in an unquoted field (csv.Error)."""
    madavi = (
        "Time;durP1;ratioP1;P1;durP2;ratioP2;P2;SDS_P1;SDS_P2;Temp;Humidity;BMP_temperature;"
        "BMP_pressure;BME280_temperature;BME280_humidity;BME280_pressure;Samples;Min_cycle;"
        "Max_cycle;Signal\n"
        "2017/03/02 00:00:28;;;;;;;12.3;\r4.5;;;;;;;;1;2;3;-70\n"
    )
    try:
        data = load_quietly(Named(madavi.encode(), "data-esp8266-13601-2017-03-02.csv"))
    except ToolkitError:
        return  # the row no longer fits the layout: a clear error is fine
    assert_balanced(data)


def test_tab_separated_thingspeak_download_gets_a_mapping_suggestion():
    """Times ending in ' UTC' were once parsed as aware and cast to naive (TypeError)."""
    text = (
        "created_at\tentry_id\tPM2.5_ATM_ug/m3\n"
        "2019-06-01 00:01:23 UTC\t1\t80.00\n"
        "2019-06-01 00:03:23 UTC\t2\t12.00\n"
    )
    with pytest.raises(ToolkitError):
        toolkit.load(Named(text.encode(), "Backyard Primary Real Time.csv"))


def test_times_ending_in_utc_are_read_as_utc():
    from toolkit._time import parse_times

    parsed = parse_times(pd.Series(["2019-06-01 00:01:23 UTC", "2019-06-01 00:03:23 GMT"]))
    assert parsed.times.tolist() == [
        pd.Timestamp("2019-06-01 00:01:23", tz="UTC"),
        pd.Timestamp("2019-06-01 00:03:23", tz="UTC"),
    ]
    assert parsed.offsets == ["+00:00"]


def test_zip_needing_a_newer_version_is_a_data_format_error():
    """zipfile raises NotImplementedError for a 'version needed to extract' it lacks."""
    data = bytearray(_zip({"a.csv": ARCHIVE.encode()}))
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 225  # version needed: 22.5
    with pytest.raises(DataFormatError, match="zip archive could not be opened") as caught:
        toolkit.load(Named(bytes(data), "day.zip"))
    assert "NotImplementedError" in str(caught.value)


def test_utf16_archive_with_the_header_not_first_is_read():
    """A data row taken for the header once ended in KeyError('timestamp')."""
    text = "\n".join([ROWS[0], HEADER, ROWS[1]]) + "\n"
    data = load_quietly(Named(b"\xff\xfe" + text.encode("utf-16-le"), "sorted.csv"))
    assert data.readings["value"].tolist() == VALUES
    assert any("not the first line" in n for n in data.ledger[0].notes)
    assert_balanced(data)


def test_archive_whose_header_is_no_header_is_a_missing_column_error():
    from toolkit._errors import MissingColumnError

    text = HEADER.replace(";timestamp;", ";timestamq;") + "\n" + "\n".join(ROWS) + "\n"
    raw = toolkit.readers._io.open_files(io.BytesIO(text.encode()))[0]
    from toolkit.readers.sensor_community import _read_archive

    with pytest.raises(MissingColumnError, match="'timestamp'"):
        _read_archive(raw, timezone=None)


def test_a_number_that_overflows_on_unit_conversion_is_dropped_with_a_reason():
    """1e308 mg/m³ is 1e311 µg/m³: inf, with a NumPy RuntimeWarning, and was kept as inf."""
    text = "time,pm\n2024-03-01T14:00:00Z,1e308\n2024-03-01T15:00:00Z,0.012\n"
    data = toolkit.readers.read_csv_mapped(
        io.BytesIO(text.encode()), time="time", values={"pm": ("pm25", "mg/m³")}
    )
    assert data.readings["value"].tolist() == pytest.approx([12.0])
    reason = "not a finite number in the canonical unit (too large to convert)"
    assert data.ledger[0].readings_dropped == {reason: 1}
    assert_balanced(data)


def test_openaq_explorer_csv_without_is_mobile_reads():
    text = EXPLORER.replace(",isMobile,", ",isMobilf,", 1)
    data = load_quietly(Named(text.encode(), "openaq.csv"))
    assert data.readings["value"].tolist() == [4.5]


def test_airgradient_dashboard_csv_without_its_time_column_is_a_missing_column_error(data_dir):
    from toolkit._errors import MissingColumnError

    text = (data_dir / "airgradient" / "dashboard.csv").read_text(encoding="utf-8")
    damaged = text.replace(",UTC Date/Time", ";UTC Date/Time", 1)  # two names in one
    assert damaged != text
    with pytest.raises(MissingColumnError, match="'utc date/time'"):
        toolkit.readers.read_airgradient(io.BytesIO(damaged.encode()))


@pytest.mark.parametrize(
    "item",
    [
        {"components": True, "dataArray": []},
        {"components": ["id", "phenomenonTime", "result"], "dataArray": True},
    ],
    ids=["components-not-a-list", "data-array-not-a-list"],
)
def test_sensorthings_data_array_of_the_wrong_type_is_a_toolkit_error(item):
    """A JSON value of the wrong type once ended in TypeError ('bool' is not iterable)."""
    import json

    page = {"value": [{"Datastream@iot.navigationLink": "Datastreams(1)", **item}]}
    with pytest.raises(ToolkitError):
        toolkit.readers.read_sensorthings(io.BytesIO(json.dumps(page).encode()))


def _set_every(node, key, value):
    """Set every ``key`` of a JSON document to ``value`` (in place)."""
    if isinstance(node, dict):
        for k in node:
            if k == key:
                node[k] = value
            else:
                _set_every(node[k], key, value)
    elif isinstance(node, list):
        for child in node:
            _set_every(child, key, value)


@pytest.mark.parametrize(
    ("fixture", "key", "value"),
    [
        ("sensorthings/observations_expanded.json", "coordinates", True),  # len(True)
        ("sensorthings/datastream_observations.json", "name", []),  # list as a dict key
        ("sensorthings/data_array.json", "dataArray", True),
        ("openaq/sensor-3917-hours.json", "label", []),  # drop_duplicates of lists
        ("openaq/sensor-3917-hours.json", "interval", {"a": 1}),
    ],
)
def test_json_values_of_the_wrong_type_never_need_the_safety_net(data_dir, fixture, key, value):
    """JSON values of the wrong type once ended in TypeError inside the readers."""
    import json

    document = json.loads((data_dir / fixture).read_text(encoding="utf-8"))
    _set_every(document, key, value)
    data = json.dumps(document).encode()
    try:
        result = load_quietly(Named(data, fixture.rsplit("/", 1)[-1]))
    except ToolkitError as error:
        assert not isinstance(error, ReaderError), error  # noqa: PT017 - either outcome is fine
        return
    assert not any(isinstance(r.exception, ReaderError) for r in result.ledger)
    assert_balanced(result)
