"""The readings of a lazy dataset as DuckDB views numbered by series, for the rules.

Averaging and the quality rules work per series (one sensor, variable and channel, as
:func:`toolkit.cadence.group_codes` defines them). Grouping and sorting by one integer is
several times faster in DuckDB than by three text columns, so :func:`prepare` makes:

``_toolkit_series`` (a small table)
    ``sid`` (1, 2, ...), ``sensor_id``, ``variable``, ``channel`` (NULL when none),
    ``rule`` (the variable's aggregation rule, see :mod:`toolkit.variables`; NULL for a
    name outside the table), ``n`` (readings), ``first_us`` and ``last_us`` (first and
    last time).
``_toolkit_r`` (a view)
    ``sid``, ``us`` (UTC time in microseconds since 1970), ``value``, ``present`` (a
    number, not NULL or NaN), ``usable`` (present and not flagged by any of the flag
    columns chosen) and, when asked, ``ord_file`` and ``ord_row``: the reading order
    (file, then row in the file), which decides ties between equal times as the
    reading order does in the pandas path.

Values are compared with ``present`` first everywhere: DuckDB orders NaN above every
number and counts NaN = NaN as true, where numpy says false.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["connection", "literal", "prepare", "quote", "register", "source_sql"]

#: The partition columns of the dataset, which are not readings columns.
_PARTITIONS = ("source", "month")


def quote(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: object) -> str:
    """Quote an SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def connection(con: Any = None) -> Any:
    """Return the connection given, or a new configured one (:func:`toolkit.engine.connect`)."""
    if con is not None:
        return con
    from ._connect import connect

    return connect()


def register(con: Any, name: str, frame: pd.DataFrame) -> None:
    """Copy a (small) pandas table into the DuckDB temp table ``name``."""
    con.register("_toolkit_tmp_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _toolkit_tmp_frame")
    finally:
        con.unregister("_toolkit_tmp_frame")


def source_sql(data: Any, *, order: bool = False) -> str:
    """Return the SQL ``SELECT`` of the readings of ``data`` with its filter (``where``) applied.

    With ``order``, the columns ``filename`` and ``file_row_number`` say where each
    reading sits in the dataset (its reading order).
    """
    extra = ", filename = true, file_row_number = true" if order else ""
    hidden = ", ".join(literal(p) for p in _PARTITIONS)
    query = (
        f"SELECT COLUMNS(lambda c: c NOT IN ({hidden})) FROM "
        f"read_parquet({literal(data.readings_glob)}, hive_partitioning = true{extra})"
    )
    return f"{query} WHERE {data.where}" if data.where else query


def prepare(
    con: Any, data: Any, *, exclude: list[str] | None = None, order: bool = False
) -> list[str]:
    """Create ``_toolkit_series`` and ``_toolkit_r`` for ``data`` (see the module docstring).

    Parameters
    ----------
    con
        The DuckDB connection.
    data
        A :class:`toolkit.engine.LazySensorData`.
    exclude
        Flag columns whose True makes a reading not ``usable``; ``None`` for all of them.
    order
        Add the reading order (``ord_file``, ``ord_row``).

    Returns
    -------
    list of str
        The readings columns of ``data`` (flag columns included). With ``order``, the
        table ``_toolkit_files`` numbers the files (``filename``, ``ord_file``).
    """
    import pandas as pd

    from .. import variables
    from .._errors import UnknownVariableError

    con.execute(f"CREATE OR REPLACE TEMP VIEW _toolkit_src AS {source_sql(data, order=order)}")
    columns = [
        str(c)
        for c in con.sql("SELECT * FROM _toolkit_src LIMIT 0").columns
        if c not in ("filename", "file_row_number")
    ]
    flags = [c for c in columns if c.startswith("flag_")] if exclude is None else exclude
    channel = "CAST(channel AS VARCHAR)" if "channel" in columns else "CAST(NULL AS VARCHAR)"
    series = con.execute(
        f"""SELECT CAST(sensor_id AS VARCHAR) AS sensor_id, CAST(variable AS VARCHAR) AS variable,
                   {channel} AS channel, count(*) AS n,
                   epoch_us(min(time)) AS first_us, epoch_us(max(time)) AS last_us
            FROM _toolkit_src GROUP BY ALL
            ORDER BY sensor_id, variable, channel NULLS FIRST"""
    ).df()
    series.insert(0, "sid", range(1, len(series) + 1))
    series["channel"] = series["channel"].astype(object).where(series["channel"].notna(), None)

    def rule(name: str) -> str | None:
        try:
            return variables.get(name).aggregation
        except UnknownVariableError:
            return None

    series["rule"] = pd.Series([rule(str(v)) for v in series["variable"]], dtype=object)
    register(con, "_toolkit_series", series.astype({"sid": "int32", "n": "int64"}))
    flagged = " OR ".join(f"coalesce(r.{quote(f)}, false)" for f in flags) or "false"
    ordering = ", o.ord_file, r.file_row_number AS ord_row" if order else ""
    files = "JOIN _toolkit_files o USING (filename)" if order else ""
    if order:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _toolkit_files AS
            SELECT file AS filename,
                   CAST(row_number() OVER (ORDER BY file) AS BIGINT) AS ord_file
            FROM glob({literal(data.readings_glob)})"""
        )
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW _toolkit_r AS
        SELECT s.sid, epoch_us(r.time) AS us, r.value,
               (r.value IS NOT NULL AND NOT isnan(r.value)) AS present,
               (r.value IS NOT NULL AND NOT isnan(r.value)) AND NOT ({flagged}) AS usable
               {ordering}
        FROM _toolkit_src r
        JOIN _toolkit_series s
          ON s.sensor_id = CAST(r.sensor_id AS VARCHAR)
         AND s.variable = CAST(r.variable AS VARCHAR)
         AND s.channel IS NOT DISTINCT FROM {channel.replace("channel", "r.channel")}
        {files}"""
    )
    return columns
