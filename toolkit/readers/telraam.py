"""Telraam traffic counters: the API's traffic report (JSON) and its CSV export.

Formats
-------
``api_json``
    The answer of ``POST https://telraam-api.net/v1/reports/traffic`` with a body such as
    ``{"level": "segments", "format": "per-hour", "id": ..., "time_start": ...,
    "time_end": ...}`` (an ``X-Api-Key`` header is needed; one call covers at most three
    months): ``{"report": [{...}, ...]}`` with one record per interval and these fields:

    * ``instance_id`` (-1 for segment queries), ``segment_id`` (-1 for camera queries);
    * ``date``: start of the interval, UTC ISO 8601 (``2022-06-01T07:00:00.000Z``);
    * ``interval``: ``hourly`` or ``daily`` (per-quarter reports exist for Telraam S2
      through the advanced API [C]; their records are read the same way);
    * ``uptime``: the share of the interval (0-1) in which the camera was counting;
    * ``heavy, car, bike, pedestrian`` and their ``_lft``/``_rgt`` directions;
    * ``direction``, ``timezone`` (IANA name of the segment's zone);
    * ``car_speed_hist_0to70plus`` (8 bins) and ``car_speed_hist_0to120plus`` (25 bins):
      the share of cars per speed bin, in %;
    * ``v85``: the speed 85 % of cars stay below, in km/h (``NA``/null when no car).
``csv``
    The same fields as columns (comma- or semicolon-separated); the speed histograms are
    written as bracketed lists.

Counts and uptime
-----------------
Counts are **floats**: Telraam has already scaled them up for the part of the interval
the camera was not counting (divided by ``uptime``). They are kept as given. Telraam
advises not to trust intervals with an uptime below about 0.5. At night the camera
does not count, and the report gives **zeros with uptime 0** rather than missing
values: these rows are kept (they are in the file) but counted in the ledger, and the
quality checks flag them; they are not real zeros. ``uptime`` (a fraction 0-1 in the
report) is stored in % (0-100).

Real reports carry uptimes **slightly above 1** (1.0003-1.0018 in a 2023 report): the
uptime of an interval is aggregated by Telraam from the camera's shorter counting
periods, and rounding in that aggregation can push a full interval just past 1 [M].
Uptimes up to ``1 + UPTIME_TOLERANCE`` (1.01) are therefore accepted and read as 1
(100 %), with a ledger note giving how many and the largest; counts are kept as given.
Larger values mean the column is not a fraction (a percentage such as 87 or 100, or
another quantity) and the file is refused with advice.

Time
----
``date`` is UTC and marks the **start** of the interval. The report carries no
coordinates for the segment: add them to ``data.sensors`` (the segments endpoint of
the API gives the road geometry).

References
----------
.. [1] Telraam API documentation, https://telraam-api.net (``/v1/reports/traffic``).
.. [2] agistaterre/telraamStats (R), field descriptions and the ``uptime`` advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._errors import DataFormatError, EmptyFileError, UnitError
from .._time import parse_times
from . import _tidy
from ._common import frame_from_rows, new_record, parse_json, read_each, sensor_data, split_table
from ._io import check_text, decode

if TYPE_CHECKING:
    import pandas as pd

    from ..ledger import FileRecord
    from ..sensordata import SensorData
    from ._io import PathOrBuffer, RawFile

__all__ = [
    "MISSING_VALUES",
    "SOURCE",
    "UPTIME_TOLERANCE",
    "VARIABLE_MAP",
    "detect",
    "read_telraam",
]

SOURCE = "Telraam"
_PREFIX = "telraam"

#: Report field -> (canonical variable, unit in the report).
VARIABLE_MAP: dict[str, tuple[str, str]] = {
    "uptime": ("uptime", "fraction"),
    "heavy": ("count_heavy", "count"),
    "heavy_lft": ("count_heavy_left", "count"),
    "heavy_rgt": ("count_heavy_right", "count"),
    "car": ("count_car", "count"),
    "car_lft": ("count_car_left", "count"),
    "car_rgt": ("count_car_right", "count"),
    "bike": ("count_bike", "count"),
    "bike_lft": ("count_bike_left", "count"),
    "bike_rgt": ("count_bike_right", "count"),
    "pedestrian": ("count_pedestrian", "count"),
    "pedestrian_lft": ("count_pedestrian_left", "count"),
    "pedestrian_rgt": ("count_pedestrian_right", "count"),
    "v85": ("speed_v85", "km/h"),
}
#: Text that means "no value" in Telraam reports (``NA`` for v85 without cars).
MISSING_VALUES = ("", "NA", "na", "null", "none", "nan")

_IGNORED = {
    "instance_id": "camera id (part of the sensor id)",
    "segment_id": "road segment id (part of the sensor id)",
    "interval": "length of the interval (noted in the ledger)",
    "direction": "which way 'left' points on the segment (in the sensors table)",
    "timezone": "the segment's time zone (in the sensors table)",
    "car_speed_hist_0to70plus": "speed distribution of cars (8 bins of 10 km/h, % of cars), "
    "not a single value",
    "car_speed_hist_0to120plus": "speed distribution of cars (25 bins of 5 km/h, % of "
    "cars), not a single value",
}
_LOW_UPTIME = 0.5
#: How far above 1 an uptime may be and still be read as a fraction (as 1): rounding in
#: Telraam's aggregation gives values such as 1.0018 (see the module docstring).
UPTIME_TOLERANCE = 0.01
_TIME_LABEL = "start of the interval (see the 'interval' field: hourly, daily...)"


def detect(raw: RawFile, head: str) -> str | None:
    """Return the format variant if ``head`` (the file's first characters) is one of ours."""
    text = head.lstrip("\ufeff \r\n\t")
    if text.startswith("{"):
        if '"report"' in text and (
            '"segment_id"' in text
            or '"instance_id"' in text
            or '"report":[]' in text.replace(" ", "")
        ):
            return "api_json"
        return None
    first = text.split("\n", 1)[0].replace('"', "").replace(";", ",")
    names = {n.strip() for n in first.split(",")}
    if {"date", "uptime", "car"} <= names and names & {"segment_id", "instance_id"}:
        return "csv"
    return None


def read_telraam(
    path_or_buffer: PathOrBuffer,
    *,
    file_timezone: str | None = None,
    timezone: str | None = None,
) -> SensorData:
    """Read a Telraam traffic report: the API's JSON answer or a CSV export.

    Parameters
    ----------
    path_or_buffer
        A file path or open file (``.json``, ``.csv``, or a ``.zip``/``.gz`` of them).
        The variant is recognised from the content.
    file_timezone
        IANA zone of the file's clock, for CSV dates written without an offset, to
        override the documented UTC.
    timezone
        Deprecated: the old name of ``file_timezone`` (it warns). It names the zone of
        the file's clock, not where the sensors are; for that, use
        ``toolkit.load(..., sensor_timezone=...)`` or ``data.with_timezone(...)``.

    Returns
    -------
    SensorData
        Counts per interval (``count_car``, ``count_car_left``..., as floats), ``speed_v85``
        [km/h] and ``uptime`` [%], one sensor ``telraam:<segment_id>`` per segment (with
        ``:<instance_id>`` when the report is per camera), and a ledger record per file.

    Raises
    ------
    EmptyFileError
        If the report holds no intervals.
    DataFormatError
        If a file is neither variant.

    Notes
    -----
    Intervals with uptime 0 (the camera was not counting, e.g. at night) are kept with
    their zero counts; the ledger says how many there are.

    Examples
    --------
    >>> import io
    >>> text = ('{"report": [{"instance_id": -1, "segment_id": 9000001, '
    ...         '"date": "2022-06-01T07:00:00.000Z", "interval": "hourly", "uptime": 0.5, '
    ...         '"car": 120.0, "v85": 42.5, "timezone": "Europe/Brussels"}]}')
    >>> data = read_telraam(io.BytesIO(text.encode()))
    >>> data.readings[["variable", "value", "unit"]].values.tolist()
    [['uptime', 50.0, '%'], ['count_car', 120.0, 'count'], ['speed_v85', 42.5, 'km/h']]
    """
    from .._zones import file_clock

    timezone = file_clock(file_timezone, timezone, where="read_telraam")
    return read_each(path_or_buffer, lambda raw: _read_one(raw, timezone=timezone), what="telraam")


def _read_one(raw: RawFile, *, timezone: str | None) -> SensorData:
    head = check_text(raw)
    variant = detect(raw, head)
    if variant == "api_json":
        frame, record = _json_frame(raw)
    elif variant == "csv":
        frame, record = _csv_frame(raw)
    else:
        first = head.lstrip().split("\n", 1)[0][:200]
        raise DataFormatError(
            "This is not a Telraam traffic report (API JSON or CSV export).",
            file=raw.name,
            found=f"first line: {first!r}",
            fix="A Telraam report has the fields 'segment_id', 'date', 'uptime' and "
            "'car'. For other files try toolkit.load(path).",
        )
    return _build(raw, frame, record, timezone=timezone)


def _json_frame(raw: RawFile) -> tuple[pd.DataFrame, FileRecord]:
    import pandas as pd

    text, encoding = decode(raw)
    record = new_record(raw, "telraam/api_json", encoding=encoding)
    payload = parse_json(text, record=record, what="Telraam")
    report = payload.get("report") if isinstance(payload, dict) else None
    if not isinstance(report, list):
        raise DataFormatError(
            "The Telraam JSON has no 'report' list.",
            file=raw.name,
            found=f"{str(payload)[:200]}",
            fix="Save the answer of POST /v1/reports/traffic.",
        )
    if not report:
        raise EmptyFileError(
            "The Telraam report holds no intervals.",
            file=raw.name,
            found=f"'report': [] (message: {payload.get('message')!r})",
            fix="Check time_start and time_end of the request (at most 3 months per call) "
            "and that the segment had an active camera then.",
        )
    record.rows_read = len(report)
    rows = [r for r in report if isinstance(r, dict)]
    broken = [f"record {i}: {str(r)[:60]}" for i, r in enumerate(report) if not isinstance(r, dict)]
    if broken:
        record.drop_rows("record is not a JSON object", len(broken), broken[:3])
    return pd.DataFrame(rows, dtype=object), record


def _csv_frame(raw: RawFile) -> tuple[pd.DataFrame, FileRecord]:

    text, encoding = decode(raw)
    record = new_record(raw, "telraam/csv", encoding=encoding)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header, rows, lines = split_table(text, delimiter=delimiter, record=record)
    header = [h.lstrip("\ufeff") for h in header]
    frame, _ = frame_from_rows(header, rows, lines, record=record)
    return frame, record


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    """Return a column as stripped text, NA where absent, empty or a missing code."""
    import pandas as pd

    if name not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    values = frame[name].astype("string").str.strip()
    return values.mask(values.eq("") | values.str.lower().isin(["na", "null", "none", "nan"]))


def _integer_text(values: pd.Series) -> pd.Series:
    """``"9000001.0"`` -> ``"9000001"``, so an id read as a float keeps its usual form."""
    return values.str.replace(r"\.0+$", "", regex=True)


def _build(
    raw: RawFile, frame: pd.DataFrame, record: FileRecord, *, timezone: str | None
) -> SensorData:
    import pandas as pd

    if "date" not in frame.columns:
        frame = frame.assign(date=None)
    time_text = frame["date"].astype("string").str.strip()
    times = parse_times(
        time_text,
        timezone=timezone,
        documented_timezone="UTC",
        documented_reason="Telraam reports are in UTC",
        file=raw.name,
        column="date",
    )
    record.timezone, record.timezone_reason = times.timezone, times.reason
    record.offsets = list(times.offsets)
    record.time_label = _TIME_LABEL

    columns = []
    for name in frame.columns:
        if name == "date":
            continue
        if name in VARIABLE_MAP:
            columns.append(_tidy.Column(name, *VARIABLE_MAP[name]))
        else:
            record.ignore_column(name, _IGNORED.get(name, "not a known Telraam field"))

    segment = _integer_text(_text(frame, "segment_id"))
    instance = _integer_text(_text(frame, "instance_id"))
    ids = pd.Series(
        [
            _sensor_id(seg, inst)
            for seg, inst in zip(segment.tolist(), instance.tolist(), strict=True)
        ],
        index=frame.index,
        dtype=object,
    )
    if (ids == f"{_PREFIX}:unknown").any():
        record.note(
            "Some records name neither a segment nor a camera; their sensor id is "
            "'telraam:unknown'."
        )

    uptime = pd.to_numeric(_text(frame, "uptime"), errors="coerce")
    _check_uptime(uptime, raw)
    over = (uptime > 1).to_numpy(dtype=bool, na_value=False)
    if over.any():
        record.note(
            f"{int(over.sum())} interval(s) have an uptime slightly above 1 (up to "
            f"{uptime.max():.4g}), which rounding in Telraam's aggregation produces; they "
            "were read as 1 (100 %). Their counts were kept as given."
        )
        frame = frame.assign(uptime=frame["uptime"].astype(object).where(~over, 1.0))
        uptime = uptime.clip(upper=1.0)
    readings = _tidy.build_readings(
        frame,
        times=times,
        sensor_ids=ids,
        columns=columns,
        record=record,
        missing_text=MISSING_VALUES,
        time_text=time_text,
    )
    _notes(frame, uptime, record)
    sensors = _sensors(frame.assign(_id=ids, _segment=segment, _instance=instance))
    return sensor_data(readings, sensors, record)


def _check_uptime(uptime: pd.Series, raw: RawFile) -> None:
    """Refuse uptimes that are not a fraction (allowing rounding just above 1)."""
    above = uptime[uptime > 1 + UPTIME_TOLERANCE]
    if above.empty:
        return
    shown = ", ".join(f"{v:g}" for v in above.head(3))
    found = f"uptime {shown} ({len(above)} value(s) above {1 + UPTIME_TOLERANCE:g})"
    if uptime.max() <= 100 and uptime.min() >= 0:
        raise UnitError(
            "Telraam gives uptime as a fraction from 0 to 1, but this file's uptime "
            "column looks like a percentage (0-100).",
            file=raw.name,
            found=found,
            fix="Divide the uptime column by 100 and read the file again (or read it "
            "with toolkit.readers.read_csv_mapped and unit='%' for uptime). Values just "
            f"above 1 (up to {1 + UPTIME_TOLERANCE:g}) need no change: they are rounding.",
        )
    raise UnitError(
        "Telraam gives uptime as a fraction from 0 to 1, but this file's uptime column "
        "holds values that are neither a fraction nor a percentage.",
        file=raw.name,
        found=f"{found}; largest {uptime.max():g}, smallest {uptime.min():g}",
        fix="Check that the 'uptime' column is Telraam's uptime (the share of the "
        "interval the camera was counting); export the report again from the API.",
    )


def _sensor_id(segment: Any, instance: Any) -> str:
    """``telraam:<segment>``, ``telraam:<segment>:<instance>`` or ``telraam:instance-<id>``."""
    import pandas as pd

    seg = None if pd.isna(segment) or segment == "-1" else str(segment)
    inst = None if pd.isna(instance) or instance == "-1" else str(instance)
    if seg and inst:
        return f"{_PREFIX}:{seg}:{inst}"
    if seg:
        return f"{_PREFIX}:{seg}"
    if inst:
        return f"{_PREFIX}:instance-{inst}"
    return f"{_PREFIX}:unknown"


def _notes(frame: pd.DataFrame, uptime: pd.Series, record: FileRecord) -> None:
    intervals = sorted(set(_text(frame, "interval").dropna()))
    if intervals:
        record.note(f"Interval length: {', '.join(intervals)}.")
    record.note(
        "Counts are floats already scaled up by Telraam for the share of the "
        "interval the camera was counting (uptime); they were kept as given."
    )
    zero = int((uptime == 0).sum())
    if zero:
        record.note(
            f"{zero} interval(s) have uptime 0 (the camera was not counting, e.g. "
            "at night): their zero counts mean 'not measured', not 'no traffic'. "
            "They were kept; the quality checks flag them."
        )
    low = int(((uptime > 0) & (uptime < _LOW_UPTIME)).sum())
    if low:
        record.note(
            f"{low} interval(s) have an uptime between 0 and {_LOW_UPTIME}; Telraam "
            "advises not to trust counts from such intervals."
        )
    record.note(
        "Telraam reports carry no coordinates for the segment; add them to "
        "data.sensors (the API's segments endpoint gives the road geometry)."
    )


def _sensors(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for sid, group in frame.groupby("_id", sort=False):
        zones = _text(group, "timezone").dropna()
        directions = _text(group, "direction").dropna()
        segment = group["_segment"].dropna()
        instance = group["_instance"].dropna()
        segment_id = str(segment.iloc[-1]) if len(segment) else None
        rows.append(
            {
                "sensor_id": sid,
                "name": f"Telraam segment {segment_id}"
                if segment_id not in (None, "-1")
                else f"Telraam camera {instance.iloc[-1] if len(instance) else '?'}",
                "source": SOURCE,
                "latitude": None,
                "longitude": None,
                "model": "Telraam",
                "location_type": "outdoor",
                "timezone": str(zones.iloc[-1]) if len(zones) else None,
                "segment_id": segment_id,
                "instance_id": str(instance.iloc[-1]) if len(instance) else None,
                "direction": str(directions.iloc[-1]) if len(directions) else None,
            }
        )
    return rows
