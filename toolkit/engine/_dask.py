"""Beyond one machine: ``timeseries.average`` and ``quality.check`` on a Dask cluster.

With :func:`use_dask` active, a :class:`~toolkit.engine.LazySensorData` given to
:func:`toolkit.timeseries.average` or :func:`toolkit.quality.check` is worked on by the
workers of a Dask cluster instead of inside DuckDB. The analysis code does not change::

    from toolkit import engine, quality, timeseries

    with engine.use_dask("tcp://scheduler:8786"):
        checked = quality.check(data)            # data: a LazySensorData
        daily = timeseries.average(checked, "day")

How it works, so that the numbers are the pandas path's own:

1. **Read.** A ``dask.dataframe`` with one partition per Parquet file of the dataset
   (:attr:`~LazySensorData.readings_glob`), read by pyarrow on the workers with the
   object's filter (:attr:`~LazySensorData.where`, what ``select`` kept) pushed down
   as a pyarrow filter. Each reading carries its place in the dataset (file number in
   path order, row in the file): the *reading order* of the DuckDB engine.
2. **Shuffle by sensor.** Every reading of a sensor goes to one partition, so each
   partition holds whole series (sensor, variable, channel).
3. **The pandas code per partition.** Each partition is put in reading order and made a
   :class:`~toolkit.SensorData`; :func:`toolkit.timeseries.average` or the value rules
   of :func:`toolkit.quality.check` run on it, on a worker. Both work series by
   series (cadence, hours, local days, runs, duplicates, gaps are all within one
   series), so the union of the partitions' results is the result on all the data.
4. **Merge.** The history step says what the pandas step would say on all the data:
   counts are summed over partitions and the step's wording, parameters and
   citation are the pandas rules' (parameters that depend on the variables present
   come from running the rule on one empty reading per variable).

Results: an average of at most ``max_rows`` rows comes back as a pandas
:class:`~toolkit.SensorData`; a larger one is written by the workers to a Parquet
dataset and comes back as a :class:`~toolkit.engine.LazySensorData`, as are checked
readings (a ``flag_<rule>`` column per rule, the layout of the input dataset). The
workers must be able to read the dataset's files and write beside them (a shared
folder), and have the toolkit installed.

Nothing here imports Dask until :func:`use_dask` is called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import ToolkitError
from ..history import Step

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["DaskEngine", "active", "average_dask", "check_dask", "use_dask"]

#: Averaged results with at most this many rows come back as a pandas ``SensorData``.
MAX_PANDAS_ROWS = 5_000_000
#: Readings per partition after the shuffle by sensor (a partition is a pandas
#: ``SensorData`` on a worker: about 250 MB at the peak of ``average``).
READINGS_PER_PARTITION = 1_000_000
#: The partition columns of the dataset (folder names, not readings columns).
_PARTITIONS = ("source", "month")
#: Columns added to each reading: its file (number, in path order) and row in the file.
_ORDER = ("ord_file", "ord_row")
_ACTIVE: list[DaskEngine] = []


# -- the engine -------------------------------------------------------------------------
@dataclass(eq=False)
class DaskEngine:
    """A Dask client that ``average`` and ``check`` use for lazy data while active.

    Made by :func:`use_dask`; use it as a context manager, or call :meth:`close`.

    Attributes
    ----------
    client
        The ``distributed.Client``.
    owned
        Whether :func:`use_dask` made the client (then :meth:`close` closes it too).
    shuffle_method
        How readings are regrouped by sensor: ``"tasks"`` (default) or ``"p2p"``.
    last_run
        What the last computation did: ``tasks`` (partitions worked on), ``workers``
        (addresses of the workers that ran them) and ``files`` (Parquet files read).
    """

    client: Any
    owned: bool = False
    shuffle_method: str = "tasks"
    last_run: dict[str, Any] = field(default_factory=dict)

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop using Dask (the previous engine, if any, is used again); close an owned client."""
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if self.owned:  # a client made by Client() also closes the local cluster it started
            self.client.close()

    def _client(self) -> Any:
        if getattr(self.client, "status", "running") != "running":
            raise ToolkitError(
                "The Dask client given to use_dask is closed.",
                found=f"client status {self.client.status!r}",
                fix="Call toolkit.engine.use_dask(...) again with a running client or "
                "scheduler address.",
            )
        return self.client


def use_dask(client_or_address: Any = None, *, shuffle_method: str = "tasks") -> DaskEngine:
    """Run ``average`` and ``check`` of lazy data on a Dask cluster from now on.

    Parameters
    ----------
    client_or_address
        A ``distributed.Client``; or a scheduler address such as
        ``"tcp://scheduler:8786"`` or a cluster object (``LocalCluster``, a cloud
        cluster): a client to it is made and closed with the engine, the cluster is
        left running; or ``None``: the current Dask client, else a new local cluster
        on this machine (one worker process per core), closed with the engine.
    shuffle_method
        How readings are regrouped by sensor between workers: ``"tasks"`` (default:
        plain tasks, quiet, fine up to a few hundred partitions) or ``"p2p"`` (Dask's
        peer-to-peer shuffle, for very many partitions).

    Returns
    -------
    DaskEngine
        Active at once, until :meth:`DaskEngine.close` (or the end of a ``with``
        block). :func:`toolkit.timeseries.average` and :func:`toolkit.quality.check`
        given a :class:`~toolkit.engine.LazySensorData` run on its workers; pandas
        ``SensorData`` is still averaged and checked in this process.

    Examples
    --------
    ::

        from toolkit import engine, timeseries
        with engine.use_dask("tcp://10.0.0.5:8786"):
            hourly = timeseries.average(data, "1h")
    """
    import distributed

    if shuffle_method not in ("tasks", "p2p"):
        msg = f"shuffle_method must be 'tasks' or 'p2p', not {shuffle_method!r}."
        raise ValueError(msg)
    owned = False
    if client_or_address is None:
        try:
            client = distributed.get_client()
        except ValueError:  # no client yet: a local cluster on this machine
            client, owned = distributed.Client(), True
    elif isinstance(client_or_address, str) or not isinstance(
        client_or_address, distributed.Client
    ):  # an address, or a cluster object (LocalCluster, a cloud cluster): a client to it
        client, owned = distributed.Client(client_or_address), True
    else:
        client = client_or_address
    engine = DaskEngine(client, owned, shuffle_method)
    _ACTIVE.append(engine)
    return engine


def active() -> DaskEngine | None:
    """Return the Dask engine in use (the latest :func:`use_dask` not closed), or ``None``."""
    return _ACTIVE[-1] if _ACTIVE else None


def _engine() -> DaskEngine:
    engine = active()
    if engine is None:
        raise ToolkitError(
            "No Dask engine is active.",
            fix="Start one first: toolkit.engine.use_dask('tcp://scheduler:8786').",
        )
    return engine


# -- the filter of a LazySensorData as a pyarrow filter ----------------------------------
_TOKEN = re.compile(
    r"\s*(?:(?P<text>'(?:[^']|'')*')|(?P<op>>=|<=|<>|!=|=|<|>)|(?P<punct>[(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z_0-9]*))"
)


def _tokens(where: str) -> list[tuple[str, str]]:
    out = []
    position = 0
    while position < len(where):
        if where[position:].strip() == "":
            break
        match = _TOKEN.match(where, position)
        if match is None:
            raise _filter_error(where)
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "text":
            value = value[1:-1].replace("''", "'")
        out.append((kind, value))
        position = match.end()
    return out


def _filter_error(where: str) -> ToolkitError:
    return ToolkitError(
        "The Dask engine cannot read this filter of the lazy data.",
        found=f"where = {where!r}",
        fix="Make selections with data.select(sensors=..., variables=..., start=..., end=...), "
        "whose filters the Dask engine reads; or run without use_dask (DuckDB).",
    )


def parse_where(where: str) -> list[tuple[str, str, Any]]:
    """Turn the SQL filter that :meth:`LazySensorData.select` builds into conditions.

    Parameters
    ----------
    where
        A conjunction (``AND``, any parentheses) of ``column IN ('a', 'b')`` and
        ``time >= TIMESTAMPTZ '...'`` / ``time < TIMESTAMPTZ '...'``.

    Returns
    -------
    list of (column, operator, value)
        ``("sensor_id", "in", ["a", "b"])``, ``("time", ">=", "2024-01-01T00:00:00+00:00")``;
        empty for ``""`` (all readings).

    Raises
    ------
    ToolkitError
        For a filter of another shape.
    """
    tokens = _tokens(where)
    conditions: list[tuple[str, str, Any]] = []
    i = 0

    def at(k: int) -> tuple[str, str]:
        return tokens[k] if k < len(tokens) else ("end", "")

    while i < len(tokens):
        kind, value = tokens[i]
        if (kind, value) in (("punct", "("), ("punct", ")")) or (
            kind == "word" and value.upper() == "AND"
        ):
            i += 1
            continue
        if kind != "word":
            raise _filter_error(where)
        column = value
        nxt = at(i + 1)
        if nxt[0] == "word" and nxt[1].upper() == "IN" and at(i + 2) == ("punct", "("):
            values, k = [], i + 3
            while at(k)[0] == "text":
                values.append(at(k)[1])
                k += 2 if at(k + 1) == ("punct", ",") else 1
            if at(k) != ("punct", ")") or not values:
                raise _filter_error(where)
            conditions.append((column, "in", values))
            i = k + 1
        elif (
            nxt[0] == "op"
            and nxt[1] in (">=", "<")
            and at(i + 2)[0] == "word"
            and at(i + 2)[1].upper() == "TIMESTAMPTZ"
            and at(i + 3)[0] == "text"
        ):
            conditions.append((column, nxt[1], at(i + 3)[1]))
            i += 4
        else:
            raise _filter_error(where)
    return conditions


def _arrow_filter(conditions: list[tuple[str, str, Any]]) -> Any:
    """Return a pyarrow expression for ``conditions`` (``None`` when there are none)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    expression = None
    for column, op, value in conditions:
        if op == "in":
            part = pc.field(column).isin(list(value))
        else:
            stamp = pd.Timestamp(value)
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            micro = -(-stamp.value // 1000)  # microseconds, rounded up: exact for >= and <
            bound = pa.scalar(micro, type=pa.timestamp("us", tz="UTC"))
            part = pc.field(column) >= bound if op == ">=" else pc.field(column) < bound
        expression = part if expression is None else expression & part
    return expression


# -- reading the dataset ------------------------------------------------------------------
class _ReadFile:
    """Read one Parquet file of the dataset (on a worker): filtered, with its reading order.

    Takes Dask's ``columns=`` keyword, so a computation that needs a few columns reads
    only those.
    """

    def __init__(self, conditions: list[tuple[str, str, Any]], columns: list[str]) -> None:
        self.conditions = conditions
        self.all_columns = columns

    def __call__(self, job: tuple[int, str], columns: list[str] | None = None) -> pd.DataFrame:
        import numpy as np
        import pyarrow.parquet as pq

        number, path = job
        chosen = self.all_columns if columns is None else [str(c) for c in columns]
        wanted = [c for c in chosen if c not in _ORDER]
        needed = sorted({c for c, _, _ in self.conditions} - set(wanted))
        table = pq.read_table(
            path,
            columns=wanted + needed,
            filters=_arrow_filter(self.conditions),
            partitioning=None,
        )
        frame = table.select(wanted).to_pandas()
        if "ord_file" in chosen:
            frame["ord_file"] = np.full(len(frame), number, dtype=np.int64)
        if "ord_row" in chosen:
            frame["ord_row"] = np.arange(len(frame), dtype=np.int64)
        return frame[chosen]


@dataclass(frozen=True)
class _Dataset:
    """The readings files of a lazy object, their schema and the Dask frame over them."""

    files: list[str]
    root: Path
    schema: Any  # pyarrow.Schema of the readings columns
    conditions: list[tuple[str, str, Any]]

    @property
    def columns(self) -> list[str]:
        return [str(name) for name in self.schema.names]

    def frame(self) -> Any:
        """Return a ``dask.dataframe`` of the readings, one partition per file."""
        import dask.dataframe as dd
        import numpy as np

        columns = [*self.columns, *_ORDER]
        meta = self.schema.empty_table().to_pandas()
        for name in _ORDER:
            meta[name] = np.zeros(0, dtype=np.int64)
        return dd.from_map(
            _ReadFile(self.conditions, columns),
            list(enumerate(self.files)),
            meta=meta[columns],
            label="toolkit-read-readings",
            enforce_metadata=False,
        )

    def folder_of(self, number: int) -> str:
        """Return the folder of file ``number`` below the dataset root (``source=…/month=…``)."""
        try:
            return str(Path(self.files[number]).parent.relative_to(self.root))
        except ValueError:
            return "."


def _glob_root(pattern: str) -> Path:
    """Return the folder a readings glob starts from (the part before its first wildcard)."""
    fixed = []
    for part in Path(pattern).parts:
        if any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    root = Path(*fixed) if fixed else Path(".")
    return root if root.is_dir() else root.parent


def _dataset(data: Any) -> _Dataset | None:
    """Find the files of ``data`` and read their schema (``None`` when there are none)."""
    import glob

    import pyarrow.parquet as pq

    files = sorted(glob.glob(data.readings_glob, recursive=True))
    if not files:
        return None
    schema = pq.read_schema(files[0])
    keep = [i for i, name in enumerate(schema.names) if name not in _PARTITIONS]
    schema = schema.remove_metadata()
    schema = type(schema)([schema.field(i) for i in keep]) if len(keep) < len(schema) else schema
    return _Dataset(files, _glob_root(data.readings_glob), schema, parse_where(data.where))


def _by_sensor(engine: DaskEngine, frame: Any, n_sensors: int, n_readings: int) -> list[Any]:
    """Shuffle ``frame`` so each partition holds whole sensors; return its delayed parts.

    About :data:`READINGS_PER_PARTITION` readings a partition, at least two partitions
    per worker thread (so that every worker has work), at most one per sensor.
    """
    wanted = max(2 * _threads(engine), -(-n_readings // READINGS_PER_PARTITION))
    parts = max(1, min(n_sensors, wanted))
    shuffled = frame.shuffle(
        on="sensor_id", npartitions=parts, shuffle_method=engine.shuffle_method
    )
    return list(shuffled.to_delayed())


def _threads(engine: DaskEngine) -> int:
    try:
        return max(1, sum(engine._client().nthreads().values()))
    except (OSError, AttributeError):
        return 1


def _compute(engine: DaskEngine, tasks: list[Any], files: int) -> tuple[list[Any], list[Any]]:
    """Run delayed ``tasks`` on the cluster; return their futures and their infos.

    Each task gives ``(result, info)``; only the small ``info`` dictionaries come back
    here, the results stay on the workers until asked for. ``last_run`` records which
    workers ran the tasks.
    """
    client = engine._client()
    futures = client.compute(tasks)
    infos = client.gather(client.map(_info_of, futures, pure=False))
    workers = sorted({i["worker"] for i in infos if i.get("worker")})
    engine.last_run = {"tasks": len(tasks), "workers": workers, "files": files}
    return list(futures), list(infos)


def _info_of(result: tuple[Any, dict[str, Any]]) -> dict[str, Any]:
    return result[1]


# -- on a worker: one partition of whole sensors -------------------------------------------
def _where_am_i() -> str | None:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return None


def _sensor_data(part: pd.DataFrame, sensors: pd.DataFrame) -> SensorData:
    """Make a ``SensorData`` of a partition's readings, in reading order."""
    from ..sensordata import SensorData, normalise_readings

    frame = part.drop(columns=[c for c in _ORDER if c in part.columns])
    if "channel" in frame.columns and frame["channel"].isna().all():
        frame = frame.drop(columns="channel")
    frame["time"] = frame["time"].astype("datetime64[ns, UTC]")
    return SensorData(normalise_readings(frame), sensors)


def _in_order(part: pd.DataFrame) -> pd.DataFrame:
    return part.sort_values(list(_ORDER), kind="stable").reset_index(drop=True)


def _average_part(
    part: pd.DataFrame, sensors: pd.DataFrame, options: dict[str, Any]
) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """Average one partition with the pandas code; return its table and what it counted."""
    from ..timeseries._average import average

    info: dict[str, Any] = {"worker": _where_am_i(), "rows": 0}
    if part.empty:
        return None, info
    data = _sensor_data(_in_order(part), sensors)
    out = average(data, **options)
    step = out.history[-1]
    usable = data.readings["value"].notna().to_numpy()
    n_flagged = 0
    if options["exclude_flagged"] and data.flag_columns:
        n_flagged = int((data.flagged.to_numpy() & usable).sum())
    table = out.readings
    info.update(
        rows=len(table),
        valid=int(table["valid"].sum()),
        usable=int(step.touched),
        flagged=n_flagged,
        cadence_s=dict(step.parameters["cadence_s"]),
        variables=sorted({str(v) for v in table["variable"].unique()}),
        in_utc=list(step.parameters.get("utc_for_unknown_zones", [])),
    )
    return table, info


def _check_part(
    part: pd.DataFrame,
    sensors: pd.DataFrame,
    run: list[str],
    options: dict[str, Any],
    target: str,
    index: int,
    folders: dict[int, str],
    schema: Any,
) -> tuple[None, dict[str, Any]]:
    """Run the value rules on one partition with the pandas code; write its flagged readings."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..quality._check import check

    info: dict[str, Any] = {"worker": _where_am_i(), "n": 0, "variables": [], "rules": {}}
    if part.empty:
        return None, info
    part = _in_order(part)
    data = _sensor_data(part, sensors)
    checked = check(data, rules=run, **options)
    readings = checked.readings
    steps = list(checked.history)[-len(run) :]
    key = part["ord_file"].to_numpy(dtype=np.int64) * 4294967296 + part["ord_row"].to_numpy(
        dtype=np.int64
    )
    variable = part["variable"].astype(str).to_numpy()
    values = part["value"].to_numpy(dtype=float)
    for rule, step in zip(run, steps, strict=True):
        mask = readings[f"flag_{rule}"].to_numpy(dtype=bool)
        counts = (
            pd.DataFrame({"variable": variable[mask], "key": key[mask]})
            .groupby("variable", sort=True)["key"]
            .agg(["size", "min"])
        )
        stats: dict[str, Any] = {
            "flagged": int(mask.sum()),
            "by_variable": {str(v): (int(r["size"]), int(r["min"])) for v, r in counts.iterrows()},
        }
        if rule == "sentinel":
            stats["found"] = np.unique(values[mask]).tolist()
        elif rule == "gaps":
            stats["gaps"] = int(step.parameters["gaps"])
        elif rule == "duplicates":
            stats["conflicts"] = _conflicts(readings, mask)
        info["rules"][rule] = stats
    info["n"] = len(part)
    info["variables"] = sorted(set(variable))
    # The readings with their flags, in reading order, one file per dataset folder.
    new = [f"flag_{r}" for r in run]
    kept = [c for c in schema.names if c not in new]
    out = part[kept].copy()
    for column in new:
        out[column] = readings[column].to_numpy(dtype=bool)
    fields = [schema.field(c) for c in kept] + [pa.field(c, pa.bool_()) for c in new]
    layout = pa.schema(fields)
    where = part["ord_file"].map(folders).to_numpy()
    for folder in pd.unique(where):
        rows = out[where == folder]
        path = Path(target, folder)
        path.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.Table.from_pandas(rows, schema=layout, preserve_index=False),
            path / f"part-{index:05d}.parquet",
        )
    return None, info


def _conflicts(readings: pd.DataFrame, mask: Any) -> int:
    """Count flagged duplicates in sets whose values differ (the rest are identical repeats).

    The duplicates rule flags every reading of a conflicting set and all but the first of
    an identical one, so a set of flagged readings is conflicting exactly when its
    values differ (or mix numbers and missing values).
    """
    import pandas as pd

    from ..cadence import group_codes

    if not mask.any():
        return 0
    codes = group_codes(readings)[0].to_numpy()[mask]
    frame = pd.DataFrame(
        {
            "series": codes,
            "time": readings["time"].to_numpy()[mask],
            "value": readings["value"].to_numpy()[mask],
        }
    )
    by = frame.groupby(["series", "time"], sort=False)["value"]
    size, count = by.size(), by.count()
    low, high = by.min(), by.max()
    identical = ((low == high) & (count == size)) | (count == 0)
    return int(size[~identical].sum())


# -- average ------------------------------------------------------------------------------
def average_dask(
    data: Any,
    period: str = "1h",
    *,
    timezone: str = "local",
    min_coverage: float = 0.75,
    exclude_flagged: bool = True,
    cadence: float | dict[str, float] | None = None,
    max_rows: int = MAX_PANDAS_ROWS,
) -> Any:
    """Average a lazy dataset on the active Dask cluster (see the module docstring).

    Parameters
    ----------
    data
        A :class:`toolkit.engine.LazySensorData`.
    period, timezone, min_coverage, exclude_flagged, cadence
        As for :func:`toolkit.timeseries.average`.
    max_rows
        Largest result returned as a pandas ``SensorData``; the workers write a larger
        one to a Parquet dataset, returned as a ``LazySensorData``.

    Returns
    -------
    SensorData or LazySensorData
        The table of :func:`toolkit.timeseries.average` on the same readings (times
        are period starts in UTC, ``coverage`` 0-1), rows ordered by sensor, variable,
        channel and time, with the pandas path's history step (its parameters add
        ``engine="dask"``).

    Raises
    ------
    ValueError, TimestampError, MissingColumnError, UnknownVariableError
        As the pandas path does.
    """
    import dask

    from .._errors import MissingColumnError
    from .._periods import parse_period
    from ..timeseries._average import AVERAGED_COLUMNS

    engine = _engine()
    spec = parse_period(period)
    if not 0 <= min_coverage <= 1:
        msg = f"min_coverage must be a share between 0 and 1 (0.75 is 75 %), not {min_coverage}."
        raise ValueError(msg)
    dataset = _dataset(data)
    if dataset is None or len(data) == 0:  # no readings: the pandas path's empty table
        from ..timeseries._average import average

        return average(
            data.to_pandas(),
            period,
            timezone=timezone,
            min_coverage=min_coverage,
            exclude_flagged=exclude_flagged,
            cadence=cadence,
        )
    already = [c for c in AVERAGED_COLUMNS if c in dataset.columns]
    if already:
        raise MissingColumnError(
            "These readings are averages already.",
            found=f"columns {already}",
            fix="Average the readings as loaded (before averaging), or use the averaged "
            "values directly.",
        )
    frame = dataset.frame()
    _check_zones(data, frame, timezone, spec)
    options = {
        "period": period,
        "timezone": timezone,
        "min_coverage": min_coverage,
        "exclude_flagged": exclude_flagged,
        "cadence": cadence,
    }
    sensors = dask.delayed(data.sensors, pure=True)
    tasks = [
        dask.delayed(_average_part, pure=True)(part, sensors, options)
        for part in _by_sensor(engine, frame, len(data.sensors), len(data))
    ]
    futures, infos = _compute(engine, tasks, len(dataset.files))
    step = _average_step(spec, infos, timezone, min_coverage, exclude_flagged)
    if sum(i["rows"] for i in infos) > max_rows:
        return _lazy_average(engine, futures, data, step)
    results = engine._client().gather(futures)
    del futures
    table = _combine([t for t, _ in results if t is not None and len(t)], spec.name)
    from ..ledger import Ledger
    from ..sensordata import SensorData, normalise_readings

    return SensorData(
        readings=normalise_readings(table),
        sensors=data.sensors,
        ledger=Ledger(r.copy() for r in data.ledger),
        history=data.history.then(step),
    )


def _check_zones(data: Any, frame: Any, timezone: str, spec: Any) -> None:
    """Raise the pandas path's error, here, when local time is asked of unknown zones."""
    import pandas as pd

    from .._time import check_timezone
    from ..sensordata import SensorData
    from ..timeseries._average import _zones

    if timezone not in (None, "local"):
        check_timezone(timezone, also="'local' (each sensor's own zone)")
        return
    zones = data.sensors["timezone"]
    if all(isinstance(z, str) and z for z in zones):
        return
    client = _engine()._client()
    used = sorted({str(s) for s in client.compute(frame["sensor_id"].unique()).result()})
    proxy = SensorData(
        readings=pd.DataFrame({"sensor_id": pd.Series(used, dtype=object)}),
        sensors=data.sensors,
        ledger=data.ledger,
    )
    _zones(proxy, timezone, spec)


def _combine(tables: list[pd.DataFrame], period: str) -> pd.DataFrame:
    """Concatenate the partitions' averaged tables, ordered by sensor, variable, channel, time."""
    import pandas as pd

    from ..timeseries._average import AVERAGED_COLUMNS

    standard = ["sensor_id", "time", "variable", "value", "unit"]
    if not tables:
        columns = [*standard, *AVERAGED_COLUMNS]
        empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        empty["time"] = pd.Series([], dtype="datetime64[ns, UTC]")
        empty["end"] = pd.Series([], dtype="datetime64[ns, UTC]")
        empty["value"] = pd.Series([], dtype=float)
        empty["period"] = period
        return empty
    channel = any("channel" in t.columns for t in tables)
    parts = []
    for table in tables:
        table = table.copy()
        for column in ("sensor_id", "variable", "unit"):
            table[column] = table[column].astype(str).astype(object)
        if channel:
            table["channel"] = (
                table["channel"].astype(object).where(table["channel"].notna(), None)
                if "channel" in table.columns
                else None
            )
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    order = [*standard, *(["channel"] if channel else []), *AVERAGED_COLUMNS]
    out = out[order]
    keys = ["sensor_id", "variable", *(["channel"] if channel else []), "time"]
    sort = out[keys].copy()
    if channel:
        sort["channel"] = sort["channel"].fillna("")
    index = sort.sort_values(keys, kind="stable").index
    out = out.loc[index].reset_index(drop=True)
    if channel:
        out["channel"] = pd.Categorical(out["channel"])
    return out


def _average_step(
    spec: Any,
    infos: list[dict[str, Any]],
    timezone: str,
    min_coverage: float,
    exclude_flagged: bool,
) -> Step:
    """Make the pandas path's history step for all partitions together."""
    from .. import variables as _variables
    from ..timeseries._average import _CITATION

    infos = [i for i in infos if i.get("rows")]
    usable = sum(i["usable"] for i in infos)
    rows = sum(i["rows"] for i in infos)
    valid = sum(i["valid"] for i in infos)
    flagged = sum(i["flagged"] for i in infos)
    cadences: dict[str, float] = {}
    present: set[str] = set()
    in_utc: set[str] = set()
    for info in infos:
        cadences.update(info["cadence_s"])
        present.update(info["variables"])
        in_utc.update(info["in_utc"])
    unknown = sorted(in_utc)
    parameters: dict[str, Any] = {
        "period": spec.name,
        "timezone": timezone,
        "min_coverage": min_coverage,
        "exclude_flagged": exclude_flagged,
        "cadence_s": cadences,
        "rules": {v: _variables.get(v).aggregation for v in sorted(present)},
    }
    if unknown:
        parameters["utc_for_unknown_zones"] = unknown
    parameters["engine"] = "dask"
    note = (
        f" The time zone of {len(unknown)} sensor(s) is unknown "
        f"({', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}): their "
        f"{spec.name} periods run in UTC, which are the same instants as local "
        "ones wherever the zone is a whole number of hours from UTC."
        if unknown
        else ""
    )
    return Step(
        name="average",
        description=(
            f"Averaged {usable} readings into {rows} {spec.name} values "
            f"({valid} valid with at least {min_coverage:.0%} data "
            f"capture); {flagged} flagged readings left out.{note}"
        ),
        parameters=parameters,
        citation=_CITATION,
        touched=usable,
    )


def _lazy_average(engine: DaskEngine, futures: list[Any], data: Any, step: Step) -> Any:
    """Have the workers write a large averaged table to a Parquet dataset; return it lazy."""
    import hashlib
    import shutil

    from ..ledger import Ledger
    from ._dataset import READINGS, readings_glob
    from ._lazy import LazySensorData

    key = hashlib.sha256(
        repr((data.readings_glob, data.where, step.parameters, "dask")).encode()
    ).hexdigest()[:16]
    out = _derived(data) / f"average-dask-{key}"
    if out.exists():
        shutil.rmtree(out)
    (out / READINGS).mkdir(parents=True)
    paths = [str(out / READINGS / f"part-{i:05d}.parquet") for i in range(len(futures))]
    client = engine._client()
    client.gather(client.map(_write_average, futures, paths, pure=False))
    del futures
    return LazySensorData(
        readings_glob(out),
        data.sensors,
        Ledger(r.copy() for r in data.ledger),
        data.history.then(step),
    )


def _write_average(result: tuple[pd.DataFrame | None, dict[str, Any]], path: str) -> int:
    """Write one partition's averaged table to ``path`` (on a worker); return its rows.

    Every file has the same columns and types (``channel`` NULL when none, times in
    microseconds), so that the files read as one table.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = result[0]
    if table is None or not len(table):
        return 0
    frame = table.copy()
    for column in ("sensor_id", "variable", "unit", "period"):
        frame[column] = frame[column].astype(str)
    frame["channel"] = (
        frame["channel"].astype(object).where(frame["channel"].notna(), None)
        if "channel" in frame.columns
        else None
    )
    frame["time"] = frame["time"].astype("datetime64[us, UTC]")
    frame["end"] = frame["end"].astype("datetime64[us, UTC]")
    layout = pa.schema(
        [
            ("sensor_id", pa.string()),
            ("time", pa.timestamp("us", tz="UTC")),
            ("variable", pa.string()),
            ("value", pa.float64()),
            ("unit", pa.string()),
            ("channel", pa.string()),
            ("period", pa.string()),
            ("end", pa.timestamp("us", tz="UTC")),
            ("n_readings", pa.int64()),
            ("n_expected", pa.float64()),
            ("coverage", pa.float64()),
            ("valid", pa.bool_()),
        ]
    )
    pq.write_table(
        pa.Table.from_pandas(frame[layout.names], schema=layout, preserve_index=False), path
    )
    return len(frame)


def _derived(data: Any) -> Path:
    if getattr(data, "folder", None) is not None:
        return Path(data.folder) / "derived"
    from ..fetch._cache import cache_folder

    return cache_folder() / "derived"


# -- check --------------------------------------------------------------------------------
def check_dask(
    data: Any,
    *,
    rules: Sequence[str] | None = None,
    folder: str | Path | None = None,
    **options: dict[str, Any],
) -> Any:
    """Run the value rules of ``quality.check`` on the active Dask cluster.

    Parameters
    ----------
    data
        A :class:`toolkit.engine.LazySensorData`.
    rules
        As for the DuckDB engine (:func:`toolkit.engine._quality.check_lazy`): by
        default duplicates, sentinel, range, negative, stuck and gaps run, and the
        rules that stay on the pandas path (clock, spikes, ab, humidity) are skipped
        and named in the history; asked for by name, those raise a toolkit error.
    folder
        Where the workers write the checked dataset (a folder they can all reach);
        default ``<dataset>/derived/check-dask-<key>``.
    **options
        Options of single rules, as for :func:`toolkit.quality.check`.

    Returns
    -------
    LazySensorData
        Over the new dataset: the readings (reading order kept within each series) with
        a ``flag_<rule>`` column per rule run, one history step per rule (the pandas
        rules' wording, parameters and counts), then ``check_skipped`` when rules were
        left to the pandas path. Data with no readings (an empty selection) is checked
        by the pandas rules and comes back as a ``SensorData``, as with DuckDB.

    Raises
    ------
    ToolkitError
        When a rule that runs on the pandas path only is asked for by name.
    """
    import hashlib
    import shutil

    import dask

    from ..ledger import Ledger
    from ..quality._check import DEFAULT_RULES
    from ._dataset import READINGS, readings_glob
    from ._lazy import LazySensorData
    from ._quality import PANDAS_ONLY

    chosen = list(DEFAULT_RULES if rules is None else [rules] if isinstance(rules, str) else rules)
    default = rules is None or tuple(chosen) == DEFAULT_RULES
    skipped = [r for r in chosen if r in PANDAS_ONLY]
    if skipped and not default:
        raise ToolkitError(
            f"The rule(s) {', '.join(skipped)} run on the pandas path only, and these "
            "readings are kept on disk (a LazySensorData).",
            found="; ".join(f"{r}: {PANDAS_ONLY[r]}" for r in skipped),
            fix="Run them on a selection in memory: quality.check(data.select(sensors=..., "
            f"start=..., end=...).to_pandas(), rules={skipped!r}); or leave them out here "
            f"(rules={[r for r in chosen if r not in PANDAS_ONLY]!r}).",
        )
    if len(data) == 0:  # no readings (an empty selection): the pandas rules, as DuckDB's
        from ..quality._check import check

        return check(data.to_pandas(), rules=chosen, **options)
    run = [r for r in chosen if r not in PANDAS_ONLY]
    engine = _engine()
    _template_steps([], run, options)  # the pandas rules' own errors for bad options, now
    if folder is None:
        key = hashlib.sha256(
            repr((data.readings_glob, data.where, chosen, sorted(options.items()), "dask")).encode()
        ).hexdigest()[:16]
        folder = _derived(data) / f"check-dask-{key}"
    out = Path(folder)
    if out.exists():
        shutil.rmtree(out)
    (out / READINGS).mkdir(parents=True)
    dataset = _dataset(data)
    infos: list[dict[str, Any]] = []
    if dataset is not None and run:
        folders = {i: dataset.folder_of(i) for i in range(len(dataset.files))}
        sensors = dask.delayed(data.sensors, pure=True)
        target = str(out / READINGS)
        tasks = [
            dask.delayed(_check_part, pure=False)(
                part, sensors, run, options, target, index, folders, dataset.schema
            )
            for index, part in enumerate(
                _by_sensor(engine, dataset.frame(), len(data.sensors), len(data))
            )
        ]
        futures, infos = _compute(engine, tasks, len(dataset.files))
        del futures
    history = data.history
    for step in _rule_steps(run, options, infos):
        history = history.then(step)
    if skipped:
        history = history.then(
            Step(
                name="check_skipped",
                description=(
                    f"Left {len(skipped)} rule(s) to the pandas path: "
                    + "; ".join(f"{r} ({PANDAS_ONLY[r]})" for r in skipped)
                    + ". Run them on a selection: quality.check(data.select(...).to_pandas(), "
                    f"rules={skipped!r})."
                ),
                parameters={"skipped": skipped, "engine": "dask"},
            )
        )
    return LazySensorData(
        readings_glob(out), data.sensors, Ledger(r.copy() for r in data.ledger), history
    )


def _template_steps(variables: list[str], run: list[str], options: dict[str, Any]) -> list[Step]:
    """Run the pandas rules on one missing reading per variable: their parameters, citations.

    Raises the rules' own errors for bad options (a misspelt variable, a bad duration).
    """
    import pandas as pd

    from ..quality._check import check
    from ..sensordata import SensorData, empty_sensors, normalise_readings

    readings = pd.DataFrame(
        {
            "sensor_id": pd.Series(["s"] * len(variables), dtype=object),
            "time": pd.Series(pd.Timestamp("2000-01-01", tz="UTC"), index=range(len(variables))),
            "variable": pd.Series(variables, dtype=object),
            "value": float("nan"),
            "unit": "",
        }
    )
    skeleton = SensorData(normalise_readings(readings), empty_sensors())
    if not run:
        return []
    return list(check(skeleton, rules=run, **options).history)[-len(run) :]


def _rule_steps(run: list[str], options: dict[str, Any], infos: list[dict[str, Any]]) -> list[Step]:
    """Each rule's step for all partitions together, worded as the pandas rule words it."""
    variables = sorted({v for info in infos for v in info["variables"]})
    templates = _template_steps(variables, run, options)
    total = sum(info["n"] for info in infos)
    steps = []
    for rule, template in zip(run, templates, strict=True):
        parts = [info["rules"][rule] for info in infos if rule in info["rules"]]
        n = sum(p["flagged"] for p in parts)
        merged: dict[str, list[int]] = {}
        for p in parts:
            for name, (count, first) in p["by_variable"].items():
                entry = merged.setdefault(name, [0, first])
                entry[0] += count
                entry[1] = min(entry[1], first)
        ranked = sorted(merged.items(), key=lambda item: (-item[1][0], item[1][1]))
        counts = ", ".join(f"{name} {count}" for name, (count, _) in ranked) or "none"
        parameters = dict(template.parameters)
        if rule == "duplicates":
            conflicts = sum(p["conflicts"] for p in parts)
            text = (
                f"Flagged {n} of {total} readings that share a timestamp with another "
                f"reading of the same series: {n - conflicts} identical repeat(s) (all but "
                f"the first of each set) and {conflicts} conflicting value(s) (every reading "
                f"of a set whose values differ)."
            )
        elif rule == "sentinel":
            found = sorted({float(v) for p in parts for v in p["found"]})
            text = (
                f"Flagged {n} of {total} readings equal to an error code "
                f"({counts}); codes found: {found or 'none'}."
            )
        elif rule == "range":
            text = (
                f"Flagged {n} of {total} readings outside the plausible "
                f"range of their variable ({counts})."
            )
        elif rule == "negative":
            text = f"Flagged {n} of {total} negative concentrations ({counts})."
        elif rule == "stuck":
            duration = parameters["min_duration"]
            text = (
                f"Flagged {n} of {total} readings in runs of one repeated value "
                f"(>= {parameters['min_repeats']} readings lasting >= {duration}) "
                f"({counts})."
            )
        else:  # gaps
            found_gaps = sum(p["gaps"] for p in parts)
            parameters["gaps"] = found_gaps
            text = (
                f"Found {found_gaps} gap(s) longer than {parameters['factor']} × the cadence "
                f"and flagged the first reading after each: {n} reading(s) ({counts})."
            )
        steps.append(
            Step(
                name=template.name,
                description=text,
                parameters=parameters,
                citation=template.citation,
                touched=n,
            )
        )
    return steps
