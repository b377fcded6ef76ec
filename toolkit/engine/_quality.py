"""``quality.check`` inside DuckDB, for readings kept in a Parquet dataset.

The value rules run in SQL with the semantics, parameters and history steps of the
pandas rules (:mod:`toolkit.quality._values`, ``_series``, ``_time``):

* **duplicates**: readings of one series at one time; identical repeats flag all but
  the first in reading order, conflicting values flag all;
* **sentinel**, **range**, **negative**: each value on its own;
* **stuck**: runs of one value (series in time order, ties in reading order) of at
  least ``min_repeats`` readings lasting at least ``min_duration``;
* **gaps**: the first reading (every reading at that time) after a step longer than
  ``factor`` times the series' cadence (the exact median of its positive steps).

*Reading order* is the order of the dataset: file by file (files sorted by path, which
for the hive layout is source, then month, then file name), row by row within a file.

Rules that stay on the pandas path: **clock** (it compares each reading with the one
read just before it, and a dataset partitioned by source and month keeps only the
order within each file, not the order in which files were read), **spikes** (a moving
median of seven neighbours: in SQL, with list windows, three times slower than numpy),
**ab** (PurpleAir channel pairs by the hour) and
**humidity** (particle readings matched with humidity readings). With the default rule
list they are skipped, and a ``check_skipped`` step in the history names them and why;
asked for by name, they raise :class:`~toolkit._errors.ToolkitError` saying how to run
them on a selection in pandas.

The flags are written, with the readings, to a new Parquet dataset (same layout, a
``flag_<rule>`` column per rule; an existing flag column of a rule run again is
replaced), and a :class:`~toolkit.engine.LazySensorData` over it is returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..history import Step
from ._series import connection, literal, prepare, quote

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    import pandas as pd

__all__ = ["ENGINE_RULES", "PANDAS_ONLY", "check_lazy"]

#: Rules that run inside DuckDB, in the order of :data:`toolkit.quality.DEFAULT_RULES`.
ENGINE_RULES: tuple[str, ...] = ("duplicates", "sentinel", "range", "negative", "stuck", "gaps")

#: Rules that run on the pandas path only, and why.
PANDAS_ONLY: dict[str, str] = {
    "clock": "it compares each reading with the one read just before it, and the "
    "dataset (partitioned by source and month) does not keep the order in which the "
    "files were read",
    "spikes": "its moving median of seven neighbours, written with DuckDB list windows, "
    "took three times as long as numpy's (5.4 s against 1.8 s for the teaching city's "
    "2.5 million readings)",
    "ab": "its hourly comparison of PurpleAir channels A and B is not built in SQL yet",
    "humidity": "its matching of particle readings with humidity readings is not built in SQL yet",
}


class _Context:
    """What the rules share: the connection, series table, readings count, flag SQL."""

    def __init__(self, con: Any, series: pd.DataFrame) -> None:
        self.con = con
        self.series = series
        self.total = int(series["n"].sum())
        self.variables = sorted({str(v) for v in series["variable"]})
        #: ``stuck``: fewest readings, shortest span [µs], whether runs of 0 pass.
        self.stuck: tuple[int, int, bool] = (10, 3 * 3_600_000_000, True)
        #: ``gaps``: how many cadences make a gap (set by the rule).
        self.gap_factor: float | None = None

    def sids(self, names: Sequence[str] | set[str]) -> str:
        """Return SQL ``sid IN (...)`` for the series of the variables ``names``."""
        chosen = self.series.loc[self.series["variable"].isin(list(names)), "sid"]
        return "sid IN (" + ", ".join(str(int(s)) for s in chosen) + ")" if len(chosen) else "false"

    def per_variable(self, values: Mapping[str, float], default: str = "NULL") -> str:
        """Return SQL ``CASE`` giving each reading its variable's number (else ``default``)."""
        cases = []
        for name, value in values.items():
            chosen = self.series.loc[self.series["variable"] == name, "sid"]
            if len(chosen) and value == value:  # NaN: no limit
                sids = ", ".join(str(int(s)) for s in chosen)
                cases.append(f"WHEN sid IN ({sids}) THEN {float(value)!r}")
        return f"CASE {' '.join(cases)} ELSE {default} END" if cases else default


# -- the rules: each returns (flag SQL, a function making its history step) -------------


def _counts(ctx: _Context, column: str) -> str:
    """Say how many flagged readings of each variable, as the pandas rules do."""
    rows = ctx.con.execute(
        f"""SELECT s.variable, count(*) AS n, min(f.ord_file * 4294967296 + f.ord_row) AS first
            FROM _toolkit_q_flags f JOIN _toolkit_series s USING (sid)
            WHERE f.{quote(column)} GROUP BY s.variable ORDER BY n DESC, first"""
    ).fetchall()
    return ", ".join(f"{name} {n}" for name, n, _ in rows) or "none"


def _flagged(ctx: _Context, column: str) -> int:
    return int(
        ctx.con.execute(f"SELECT count(*) FROM _toolkit_q_flags WHERE {quote(column)}").fetchone()[
            0
        ]
    )


def _step(
    ctx: _Context, rule: str, description: str, parameters: dict[str, Any], citation: str = ""
) -> Step:
    from ..quality._common import plain

    return Step(
        name=f"flag_{rule}",
        description=description,
        parameters={k: plain(v) for k, v in parameters.items()},
        citation=citation,
        touched=_flagged(ctx, f"flag_{rule}"),
    )


def _sentinel(
    ctx: _Context,
    *,
    codes: Sequence[float] | None = None,
    per_variable: Mapping[str, Sequence[float]] | None = None,
) -> tuple[str, Callable[[], Step]]:
    from ..quality._values import SENTINEL_CODES, VARIABLE_SENTINELS

    codes = SENTINEL_CODES if codes is None else codes
    specific = dict(VARIABLE_SENTINELS if per_variable is None else per_variable)

    def equals(code: float) -> str:
        return f"abs(value - {float(code)!r}) <= {1e-6 * max(1.0, abs(float(code)))!r}"

    parts = [equals(c) for c in codes]
    for name, extra in specific.items():
        if extra:
            parts.append(f"({ctx.sids([name])} AND ({' OR '.join(equals(c) for c in extra)}))")
    sql = f"(present AND ({' OR '.join(parts) or 'false'}))"

    def make() -> Step:
        found = [
            float(r[0])
            for r in ctx.con.execute(
                "SELECT DISTINCT value FROM _toolkit_q_flags WHERE flag_sentinel ORDER BY 1"
            ).fetchall()
        ]
        n = _flagged(ctx, "flag_sentinel")
        return _step(
            ctx,
            "sentinel",
            f"Flagged {n} of {ctx.total} readings equal to an error code "
            f"({_counts(ctx, 'flag_sentinel')}); codes found: {found or 'none'}.",
            {
                "codes": [float(c) for c in codes],
                "per_variable": {k: [float(c) for c in v] for k, v in specific.items()},
            },
            "SDS011 data sheet V1.3 (Nova Fitness, 2015): range 0.0-999.9 µg/m³; "
            "Maxim DS18B20 data sheet: power-on value +85 °C",
        )

    return sql, make


def _range(
    ctx: _Context, *, limits: Mapping[str, tuple[float | None, float | None]] | None = None
) -> tuple[str, Callable[[], Step]]:
    from ..quality._values import range_limits

    overrides = dict(limits or {})
    present = set(ctx.variables)
    used = range_limits(present, overrides)
    nan = float("nan")
    low = ctx.per_variable({k: nan if v[0] is None else float(v[0]) for k, v in used.items()})
    high = ctx.per_variable({k: nan if v[1] is None else float(v[1]) for k, v in used.items()})
    sql = f"(present AND coalesce(value < {low} OR value > {high}, false))"

    def make() -> Step:
        n = _flagged(ctx, "flag_range")
        return _step(
            ctx,
            "range",
            f"Flagged {n} of {ctx.total} readings outside the plausible "
            f"range of their variable ({_counts(ctx, 'flag_range')}).",
            {
                "limits": {k: [v[0], v[1]] for k, v in used.items() if k in present},
                "overrides": {k: [v[0], v[1]] for k, v in overrides.items()},
            },
            "Plausible ranges of the toolkit's variables table (toolkit/data/variables.csv)",
        )

    return sql, make


def _negative(
    ctx: _Context,
    *,
    groups: Sequence[str] | None = None,
    tolerance: float | Mapping[str, float] = 0.0,
) -> tuple[str, Callable[[], Step]]:
    from ..quality._common import group_of
    from ..quality._values import NEGATIVE_GROUPS

    groups = NEGATIVE_GROUPS if groups is None else groups
    checked = {name for name in ctx.variables if group_of(name) in set(groups)}
    if isinstance(tolerance, int | float):
        tolerances = dict.fromkeys(checked, float(tolerance))
    else:
        tolerances = {name: float(tolerance.get(name, 0.0)) for name in checked}
    floor = ctx.per_variable({k: -v for k, v in tolerances.items()})
    sql = f"(present AND coalesce(value < {floor}, false))"

    def make() -> Step:
        n = _flagged(ctx, "flag_negative")
        return _step(
            ctx,
            "negative",
            f"Flagged {n} of {ctx.total} negative concentrations "
            f"({_counts(ctx, 'flag_negative')}).",
            {
                "groups": list(groups),
                "tolerance": tolerance if isinstance(tolerance, int | float) else dict(tolerance),
                "variables_checked": sorted(checked),
            },
        )

    return sql, make


def _duplicates(ctx: _Context) -> tuple[str, Callable[[], Step]]:
    def make() -> Step:
        repeats, conflicts = (
            int(x or 0)
            for x in ctx.con.execute(
                "SELECT sum(dup_repeat::INT), sum(dup_conflict::INT) FROM _toolkit_q_flags"
            ).fetchone()
        )
        n = _flagged(ctx, "flag_duplicates")
        return _step(
            ctx,
            "duplicates",
            f"Flagged {n} of {ctx.total} readings that share a timestamp with another "
            f"reading of the same series: {repeats} identical repeat(s) (all but the first "
            f"of each set) and {conflicts} conflicting value(s) (every reading of a set "
            f"whose values differ).",
            {"keys": ["sensor_id", "variable", "channel", "time"]},
        )

    return "(dup_repeat OR dup_conflict)", make


def _stuck(
    ctx: _Context, *, min_repeats: int = 10, min_duration: str = "3h", skip_zeros: bool = True
) -> tuple[str, Callable[[], Step]]:
    import pandas as pd

    from ..quality._common import duration_text

    duration = pd.Timedelta(min_duration)
    ctx.stuck = (int(min_repeats), int(duration // pd.Timedelta(1, "us")), bool(skip_zeros))

    def make() -> Step:
        n = _flagged(ctx, "flag_stuck")
        return _step(
            ctx,
            "stuck",
            f"Flagged {n} of {ctx.total} readings in runs of one repeated value "
            f"(>= {min_repeats} readings lasting >= {duration_text(duration)}) "
            f"({_counts(ctx, 'flag_stuck')}).",
            {
                "min_repeats": min_repeats,
                "min_duration": duration_text(duration),
                "skip_zeros": skip_zeros,
            },
            "U.S. IOOS (2015) Manual for Real-Time Quality Control of In-situ "
            "Temperature and Salinity Data v2.0, flat line test, doi:10.7289/V5V40SD4 "
            "(thresholds are the toolkit's choice)",
        )

    return "stuck", make


def _gaps(ctx: _Context, *, factor: float | None = None) -> tuple[str, Callable[[], Step]]:
    from ..quality._time import GAP_FACTOR

    factor = GAP_FACTOR if factor is None else factor
    ctx.gap_factor = float(factor)

    def make() -> Step:
        found = int(
            ctx.con.execute("SELECT count(*) FROM _toolkit_q_flags WHERE gap_first").fetchone()[0]
        )
        n = _flagged(ctx, "flag_gaps")
        return _step(
            ctx,
            "gaps",
            f"Found {found} gap(s) longer than {factor} × the cadence and "
            f"flagged the first reading after each: {n} reading(s) "
            f"({_counts(ctx, 'flag_gaps')}).",
            {"factor": factor, "gaps": found},
        )

    return "gap_moment", make


_RULES: dict[str, Callable[..., tuple[str, Callable[[], Step]]]] = {
    "duplicates": _duplicates,
    "sentinel": _sentinel,
    "range": _range,
    "negative": _negative,
    "stuck": _stuck,
    "gaps": _gaps,
}

_VALUE_RULES = ("sentinel", "range", "negative")


def check_lazy(
    data: Any,
    *,
    rules: Sequence[str] | None = None,
    con: Any = None,
    folder: str | Path | None = None,
    **options: dict[str, Any],
) -> Any:
    """Run the quality rules on a lazy dataset inside DuckDB (see the module docstring).

    Parameters
    ----------
    data
        A :class:`toolkit.engine.LazySensorData`.
    rules
        Rule names as for :func:`toolkit.quality.check` (default: all of
        :data:`toolkit.quality.DEFAULT_RULES`; those in :data:`PANDAS_ONLY` are then
        skipped and the history says so).
    con
        A DuckDB connection (a configured one is made when ``None``).
    folder
        Where to write the checked dataset; default ``<dataset>/derived/check-<key>``
        (or a folder in the toolkit cache for a dataset without a folder).
    **options
        Options of single rules, as for :func:`toolkit.quality.check`.

    Returns
    -------
    LazySensorData
        Over the new dataset: the readings with a ``flag_<rule>`` column per rule run,
        and one history step per rule (the pandas rules' names, descriptions and
        parameters), then ``check_skipped`` when rules were left to the pandas path.
        Data with no readings (an empty selection) is checked by the pandas rules and
        comes back as a ``SensorData``.

    Raises
    ------
    ToolkitError
        When a rule that runs on the pandas path only is asked for by name.
    """
    from .._errors import ToolkitError
    from ..quality._check import DEFAULT_RULES

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
    if len(data) == 0:  # nothing on disk to read: the pandas rules flag nothing, quickly
        from ..quality._check import check

        return check(data.to_pandas(), rules=chosen, **options)
    run = [r for r in chosen if r in _RULES]
    con = connection(con)
    columns = prepare(con, data, exclude=[], order=True)
    series = con.execute("SELECT * FROM _toolkit_series ORDER BY sid").df()
    ctx = _Context(con, series)
    made: dict[str, tuple[str, Callable[[], Step]]] = {}
    for name in run:
        made[name] = _RULES[name](ctx, **dict(options.get(name, {})))
    _flag_table(ctx, made)
    out = _write(ctx, data, columns, [f"flag_{r}" for r in run], made, folder, chosen, options)
    history = data.history
    for name in run:
        history = history.then(made[name][1]())
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
                parameters={"skipped": skipped, "engine": "duckdb"},
            )
        )
    from ..ledger import Ledger
    from ._dataset import readings_glob
    from ._lazy import LazySensorData

    return LazySensorData(
        readings_glob(out),
        data.sensors,
        Ledger(r.copy() for r in data.ledger),
        history,
    )


def _gap_cadence(ctx: _Context) -> None:
    """Register ``_toolkit_q_cadence``: each series' gap limit [ns], as ``gaps`` finds it.

    The cadence is the median of the positive steps between consecutive readings, in
    seconds (``step_ns / 1e9``); for an even count the mean of the two middle steps,
    computed as pandas does, ``(a + b) / 2``.
    """
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _toolkit_q_cadence AS
        WITH steps AS (
            SELECT sid, CAST((us - lag(us) OVER (PARTITION BY sid ORDER BY us)) * 1000 AS DOUBLE)
                        / 1e9 AS seconds
            FROM _toolkit_r
        )
        SELECT sid, {ctx.gap_factor!r} * ((quantile_disc(seconds, 0.5)
                    + -quantile_disc(-seconds, 0.5)) / 2) * 1e9 AS gap_limit
        FROM steps WHERE seconds > 0 GROUP BY sid"""
    )


def _flag_table(ctx: _Context, made: dict[str, tuple[str, Callable[[], Step]]]) -> None:
    """Create ``_toolkit_q_flags``: the flagged readings (and what the steps count)."""
    con = ctx.con
    gaps = "gaps" in made
    if gaps:
        _gap_cadence(ctx)
    min_repeats, min_span, skip_zeros = ctx.stuck
    value_flags = [f"{made[r][0]} AS v_{r}" for r in _VALUE_RULES if r in made]
    any_value = " OR ".join(f"v_{r}" for r in _VALUE_RULES if r in made) or "false"
    stuck_rows = "true" if min_repeats <= 1 else "same_prev OR same_next"
    limit = "c.gap_limit" if gaps else "CAST(NULL AS DOUBLE)"
    cadence_join = "LEFT JOIN _toolkit_q_cadence c USING (sid)" if gaps else ""
    stuck_candidates = stuck_rows if "stuck" in made else "false"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _toolkit_q_cand AS
        WITH b AS (
            SELECT sid, us, ord_file * 4294967296 + ord_row AS ord,
                   CASE WHEN present THEN value END AS number
            FROM _toolkit_r
        ), w AS (
            SELECT sid, us, ord, number, lag(us) OVER w AS prev_us, lead(us) OVER w AS next_us,
                   coalesce(number = lag(number) OVER w, false) AS same_prev,
                   coalesce(number = lead(number) OVER w, false) AS same_next
            FROM b
            WINDOW w AS (PARTITION BY sid ORDER BY us, ord)
        ), unpacked AS (
            SELECT w.sid, w.us, w.number AS value, w.number IS NOT NULL AS present,
                   w.ord // 4294967296 AS ord_file, w.ord % 4294967296 AS ord_row,
                   w.same_prev, w.same_next, w.prev_us, w.next_us, {limit} AS gap_limit
            FROM w {cadence_join}
        ), marked AS (
            SELECT sid, us, value, present, ord_file, ord_row, same_prev, same_next,
                   coalesce(prev_us = us OR next_us = us, false) AS in_dup,
                   coalesce(CAST((us - prev_us) * 1000 AS DOUBLE) > gap_limit, false)
                       AS gap_first
                   {"".join(", " + v for v in value_flags)}
            FROM unpacked
        )
        SELECT * FROM marked
        WHERE in_dup OR gap_first OR ({any_value}) OR ({stuck_candidates})"""
    )
    zero = "bool_and(present AND value = 0)" if skip_zeros else "false"
    flag_columns = []
    for name in made:
        sql = f"v_{name}" if name in _VALUE_RULES else made[name][0]
        flag_columns.append(f"({sql}) AS flag_{name}")
    any_flag = " OR ".join(f"flag_{name}" for name in made) or "false"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _toolkit_q_flags AS
        WITH runs AS (
            SELECT sid, us, value, present, ord_file, ord_row,
                   sum(CASE WHEN same_prev THEN 0 ELSE 1 END) OVER (
                       PARTITION BY sid ORDER BY us, ord_file * 4294967296 + ord_row
                       ROWS UNBOUNDED PRECEDING
                   ) AS run
            FROM _toolkit_q_cand WHERE {stuck_rows}
        ), run_sizes AS (
            SELECT sid, run, count(*) AS length, max(us) - min(us) AS span, {zero} AS zero
            FROM runs GROUP BY sid, run
        ), stuck_rows AS (
            SELECT r.ord_file, r.ord_row FROM runs r JOIN run_sizes z USING (sid, run)
            WHERE z.length >= {min_repeats} AND z.span >= {min_span} AND NOT z.zero
        ), moments AS (
            SELECT sid, us, count(*) AS size, count(*) FILTER (WHERE present) AS numbers,
                   min(value) FILTER (WHERE present) AS lo,
                   max(value) FILTER (WHERE present) AS hi,
                   bool_or(gap_first) AS gap
            FROM _toolkit_q_cand WHERE in_dup OR gap_first GROUP BY sid, us
        ), dups AS (
            SELECT c.ord_file, c.ord_row,
                   (coalesce(m.lo = m.hi, false) AND m.numbers = m.size) OR m.numbers = 0
                       AS identical,
                   m.size > 1 AS multi, m.gap,
                   row_number() OVER (PARTITION BY c.sid, c.us ORDER BY c.ord_file, c.ord_row)
                       = 1 AS first
            FROM _toolkit_q_cand c JOIN moments m USING (sid, us)
        ), flags AS (
            SELECT c.*,
                   coalesce(d.multi AND d.identical AND NOT d.first, false) AS dup_repeat,
                   coalesce(d.multi AND NOT d.identical, false) AS dup_conflict,
                   s.ord_file IS NOT NULL AS stuck,
                   coalesce(d.gap, false) AS gap_moment
            FROM _toolkit_q_cand c
            LEFT JOIN dups d USING (ord_file, ord_row)
            LEFT JOIN stuck_rows s USING (ord_file, ord_row)
        )
        SELECT * FROM (SELECT *, {", ".join(flag_columns) or "NULL AS none"} FROM flags)
        WHERE {any_flag} OR gap_first"""
    )


def _write(
    ctx: _Context,
    data: Any,
    columns: list[str],
    new_flags: list[str],
    made: dict[str, Any],
    folder: str | Path | None,
    chosen: list[str],
    options: dict[str, Any],
) -> Path:
    """Write the readings with their flags to a new dataset; return its folder."""
    import hashlib
    import shutil
    from pathlib import Path

    from ._dataset import READINGS

    if folder is None:
        key = hashlib.sha256(
            repr((data.readings_glob, data.where, chosen, sorted(options.items()))).encode()
        ).hexdigest()[:16]
        if data.folder is not None:
            base = Path(data.folder) / "derived"
        else:
            from ..fetch._cache import cache_folder

            base = cache_folder() / "derived"
        folder = base / f"check-{key}"
    out = Path(folder)
    if out.exists():
        shutil.rmtree(out)
    files = ctx.con.execute("SELECT filename, ord_file FROM _toolkit_files ORDER BY 2").fetchall()
    root = _glob_root(data.readings_glob)
    by_folder: dict[Path, list[tuple[str, int]]] = {}
    for name, number in files:
        path = Path(name)
        try:
            relative = path.parent.relative_to(root)
        except ValueError:
            relative = Path(".")
        by_folder.setdefault(relative, []).append((name, int(number)))
    kept = [c for c in columns if c not in new_flags]
    select = ", ".join(
        [f"r.{quote(c)}" for c in kept]
        + [f"coalesce(f.{quote(c)}, false) AS {quote(c)}" for c in new_flags]
    )
    flag_select = ", ".join(["ord_file", "ord_row", *new_flags])
    where = f"WHERE {data.where}" if data.where else ""
    for relative, members in sorted(by_folder.items()):
        target = out / READINGS / relative
        target.mkdir(parents=True, exist_ok=True)
        paths = "[" + ", ".join(literal(n) for n, _ in members) + "]"
        numbers = ", ".join(str(n) for _, n in members)
        ctx.con.execute(
            f"""COPY (
                SELECT {select}
                FROM (SELECT * FROM read_parquet({paths}, hive_partitioning = true,
                                                 filename = true, file_row_number = true)
                      {where}) r
                JOIN _toolkit_files o USING (filename)
                LEFT JOIN (SELECT {flag_select} FROM _toolkit_q_flags
                           WHERE ord_file IN ({numbers})) f
                  ON f.ord_file = o.ord_file AND f.ord_row = r.file_row_number
                ORDER BY o.ord_file, r.file_row_number
            ) TO {literal(target / "part-0.parquet")} (FORMAT parquet)"""
        )
    del made
    return out


def _glob_root(pattern: str) -> Path:
    """Return the folder a readings glob starts from (the part before its first wildcard)."""
    from pathlib import Path

    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    root = Path(*fixed) if fixed else Path(".")
    return root if root.is_dir() else root.parent
