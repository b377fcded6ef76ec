"""Run the rules together, and say what they found in plain words."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..sensordata import FLAG_PREFIX
from ._ab import ab_variables, flag_ab
from ._humidity import flag_humidity
from ._series import flag_duplicates, flag_spikes, flag_stuck
from ._time import flag_clock, flag_gaps
from ._values import flag_negative, flag_range, flag_sentinel

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["DEFAULT_RULES", "MEANINGS", "RULES", "Explanation", "check", "explain", "summary"]

#: Every rule by name, and the function that applies it.
RULES: dict[str, Callable[..., SensorData]] = {
    "duplicates": flag_duplicates,
    "clock": flag_clock,
    "sentinel": flag_sentinel,
    "range": flag_range,
    "negative": flag_negative,
    "stuck": flag_stuck,
    "spikes": flag_spikes,
    "gaps": flag_gaps,
    "ab": flag_ab,
    "humidity": flag_humidity,
}

#: The rules :func:`check` runs, in this order: first the structure of the data
#: (duplicate and wrong timestamps), then each value on its own (codes, range, sign),
#: then each series (stuck, spikes, restarts after gaps), then rules that compare two
#: instruments (PurpleAir A/B, humidity). No rule reads another's flags, so the order
#: changes only the order of the history.
DEFAULT_RULES: tuple[str, ...] = tuple(RULES)

#: What each flag column means, in plain words (for summaries and reports).
MEANINGS: dict[str, str] = {
    "duplicates": "several readings of one sensor and variable at the same time "
    "(identical repeats: all but the first; conflicting values: all)",
    "clock": "the timestamp looks wrong: out of order, after a clock jump back, in the "
    "future, or before the clock was set",
    "sentinel": "the value is an error code (such as -999 or 65535), not a measurement",
    "range": "the value is outside what is physically plausible for this variable",
    "negative": "a concentration below zero",
    "stuck": "the same value repeated for hours: the sensor may be frozen",
    "spikes": "a single value far from its neighbours",
    "gaps": "the first reading after a gap: a restarting sensor's first value is often poor",
    "ab": "PurpleAir channels A and B disagree in this hour (EPA rule)",
    "ab_incomplete": "a PurpleAir channel has under 90 % of its readings in this hour (EPA rule)",
    "humidity": "particle reading in fog or mist: water droplets are counted as particles",
}


def check(
    data: SensorData,
    *,
    rules: Sequence[str] = DEFAULT_RULES,
    **options: dict[str, Any],
) -> SensorData:
    """Run quality rules and return the data with a flag column per rule.

    Parameters
    ----------
    data
        The readings to check; not changed, and no reading is removed. A
        :class:`toolkit.engine.LazySensorData` is checked inside DuckDB
        (:func:`toolkit.engine._quality.check_lazy`): the value rules give the same
        flags; clock, spikes, ab and humidity run on the pandas path only (skipped, and
        the history says so, with the default rules).
    rules
        Names of the rules to run, in order (default :data:`DEFAULT_RULES`: duplicates,
        clock, sentinel, range, negative, stuck, spikes, gaps, ab, humidity).
    **options
        Options of single rules, as a dictionary per rule name, for example
        ``check(data, clock={"now": "2024-06-01"}, humidity={"threshold": 90})``.
        For ``ab`` without a ``variable``, ``pm25_cf1`` is compared when present, else
        ``pm25_atm``, else the first variable that has channels A and B; data without
        A/B channels get an all-False ``flag_ab``.

    Returns
    -------
    SensorData
        With ``flag_<rule>`` columns and one history step per rule (parameters, source,
        readings flagged).

    Raises
    ------
    ValueError
        For an unknown rule name, or options for a rule that is not run.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...     "time": pd.date_range("2024-01-01", periods=3, freq="1h", tz="UTC"),
    ...     "value": [5.0, -999.0, 7.0]})
    >>> checked = check(SensorData(readings, empty_sensors()), rules=["sentinel", "range"])
    >>> checked.flag_columns
    ['flag_sentinel', 'flag_range']
    >>> checked.flagged.tolist()
    [False, True, False]
    """
    chosen = [rules] if isinstance(rules, str) else list(rules)
    unknown = [r for r in chosen if r not in RULES]
    if unknown:
        msg = (
            f"Unknown quality rule(s) {unknown}. The rules are: {', '.join(RULES)}; "
            f"for example rules=['range', 'spikes']."
        )
        raise ValueError(msg)
    stray = [name for name in options if name not in chosen]
    if stray:
        msg = (
            f"Options were given for rule(s) {stray} that are not run. Give options as "
            f"rule={{...}} for rules in rules={chosen}, e.g. check(data, range={{'limits': "
            f"{{'pm25': (0, 500)}}}})."
        )
        raise ValueError(msg)
    if getattr(data, "engine", None) == "duckdb":  # a LazySensorData: readings on disk
        from ..engine._dask import active

        if active() is not None:  # toolkit.engine.use_dask(...): on a Dask cluster
            from ..engine._dask import check_dask

            return check_dask(data, rules=None if rules is DEFAULT_RULES else chosen, **options)
        from ..engine._quality import check_lazy

        return check_lazy(data, rules=None if rules is DEFAULT_RULES else chosen, **options)
    for name in chosen:
        kwargs = dict(options.get(name, {}))
        if name == "ab" and "variable" not in kwargs:
            pairs = ab_variables(data)
            preferred = [v for v in ("pm25_cf1", "pm25_atm") if v in pairs] + pairs
            kwargs["variable"] = preferred[0] if preferred else "pm25_cf1"
        data = RULES[name](data, **kwargs)
    return data


def _example(row: pd.Series) -> str:
    channel = row.get("channel")
    label = str(row["variable"]) + (f" {channel}" if isinstance(channel, str) else "")
    return (
        f"{row['sensor_id']} {label} {row['time']:%Y-%m-%d %H:%M:%S} UTC: "
        f"{row['value']:g} {row['unit']}"
    )


def summary(data: SensorData, *, examples: int = 3) -> pd.DataFrame:
    """Say what the quality rules found: one row per flag column, and one for any rule.

    Parameters
    ----------
    data
        Data with ``flag_<rule>`` columns (from :func:`check` or single rules).
    examples
        How many flagged readings to show per rule.

    Returns
    -------
    pandas.DataFrame
        ``rule``, ``meaning`` (plain words), ``flagged`` (readings), ``share`` (of all
        readings, 0-1), ``sensors`` (how many sensors have a flagged reading),
        ``examples`` (a few flagged readings) and ``details`` (what the rule's latest
        history step recorded, e.g. identical vs conflicting duplicates). The last row,
        ``any rule``, counts readings flagged by at least one rule.
    """
    import pandas as pd

    readings = data.readings
    total = len(readings)
    steps = {step.name: step for step in data.history}
    rows = []
    columns = [*data.flag_columns, None]
    for column in columns:
        mask = data.flagged if column is None else readings[column].astype(bool)
        rule = "any rule" if column is None else column[len(FLAG_PREFIX) :]
        parent = "ab" if rule == "ab_incomplete" else rule
        step = steps.get(f"flag_{parent}")
        chosen = readings[mask]
        rows.append(
            {
                "rule": rule,
                "meaning": "at least one rule doubts the reading"
                if column is None
                else MEANINGS.get(rule, "a rule from outside the toolkit"),
                "flagged": int(mask.sum()),
                "share": float(mask.sum()) / total if total else 0.0,
                "sensors": int(chosen["sensor_id"].nunique()),
                "examples": "; ".join(_example(r) for _, r in chosen.head(examples).iterrows()),
                "details": step.description if step is not None and column is not None else "",
            }
        )
    rows.extend(_load_findings(data, examples))
    return pd.DataFrame(
        rows, columns=["rule", "meaning", "flagged", "share", "sensors", "examples", "details"]
    )


def _load_findings(data: SensorData, examples: int) -> list[dict[str, object]]:
    """Rows for what the readers dropped at load time (the ledger), after the rules' rows.

    Rows and values that were dropped are no longer in the readings, so no rule can flag
    them; listing them here keeps one table of everything found. ``flagged`` counts rows
    or values as the ledger does, and ``share`` is empty because they are not readings.
    """
    found: dict[tuple[str, str], dict[str, object]] = {}
    for record in data.ledger:
        for kind, counts, shown in (
            ("row", record.rows_dropped, record.row_examples),
            ("value", record.readings_dropped, record.reading_examples),
        ):
            for reason, count in counts.items():
                entry = found.setdefault(
                    (kind, reason), {"count": 0, "files": 0, "ex": [], "sensors": set()}
                )
                entry["count"] += count
                entry["files"] += 1
                entry["sensors"].update(record.sensors)
                entry["ex"].extend(shown.get(reason, []))
    return [
        {
            "rule": f"at load: {reason}",
            "meaning": f"{kind}s dropped by the reader when the file was read (see data.ledger)",
            "flagged": int(entry["count"]),
            "share": float("nan"),
            "sensors": len(entry["sensors"]),
            "examples": "; ".join(entry["ex"][:examples]),
            "details": f"{entry['count']} {kind}(s) in {entry['files']} file(s)",
        }
        for (kind, reason), entry in found.items()
    ]


@dataclass(frozen=True)
class Explanation:
    """The quality summary as a table, as plain text (``str``) and as HTML (in notebooks).

    Attributes
    ----------
    table
        The :func:`summary` table.
    total
        How many readings were checked.
    """

    table: pd.DataFrame
    total: int

    @property
    def _rules(self) -> pd.DataFrame:
        return self.table[~self.table["rule"].str.startswith("at load: ")]

    @property
    def _at_load(self) -> pd.DataFrame:
        return self.table[self.table["rule"].str.startswith("at load: ")]

    def __str__(self) -> str:
        at_load = [
            f"- {row.rule}: {row.details}." + (f"\n    e.g. {row.examples}" if row.examples else "")
            for row in self._at_load.itertuples()
        ]
        if len(self._rules) <= 1:
            text = "Quality: no rules have been run yet (see toolkit.quality.check)."
            return "\n".join([text, *at_load])
        lines = [f"Quality of {self.total} readings:"]
        quiet = []
        for row in self._rules.itertuples():
            if row.flagged == 0 and row.rule != "any rule":
                quiet.append(str(row.rule))
                continue
            lines.append(
                f"- {row.rule}: {row.flagged} reading(s) ({row.share:.1%}) of {row.sensors} "
                f"sensor(s): {row.meaning}."
            )
            if row.examples and row.rule != "any rule":
                lines.append(f"    e.g. {row.examples}")
        if quiet:
            lines.append(f"Nothing flagged by: {', '.join(quiet)}.")
        lines.append("Flags mark doubts; no reading was removed or changed.")
        if at_load:
            lines.append("Found when the files were read (and accounted for in data.ledger):")
            lines.extend(at_load)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        if len(self._rules) <= 1:
            return f"<pre>{html.escape(str(self))}</pre>"
        share = (self.table["share"] * 100).round(1).astype(str) + " %"
        shown = self.table.assign(share=share.where(self.table["share"].notna(), ""))
        return (
            f"<div><p><b>Quality of {self.total} readings</b>: flags mark doubts; no "
            f"reading was removed or changed.</p>{shown.to_html(index=False, escape=True)}</div>"
        )


def explain(data: SensorData, *, examples: int = 3) -> Explanation:
    """Return the quality summary in a form that prints and shows well in a notebook.

    Parameters
    ----------
    data
        Data with ``flag_<rule>`` columns.
    examples
        How many flagged readings to show per rule.

    Returns
    -------
    Explanation
        ``print(explain(data))`` gives plain sentences; in Jupyter it shows as a table.
    """
    return Explanation(summary(data, examples=examples), len(data.readings))
