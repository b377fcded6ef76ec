"""The ledger: what happened to every row of every file at load time.

A reader fills one :class:`FileRecord` per file (or per member of a zip archive). The
record accounts for everything in two balanced sums:

* **rows**: ``rows_read = rows_kept + sum(rows_dropped.values())``. A row is dropped
  whole only when it holds nothing usable (no timestamp, no value at all, a repeated
  header line, an error message written into the file); each drop has a reason.
* **values**: every cell of a measurement column in a kept row is a candidate reading,
  and ``values_read = readings_kept + sum(readings_dropped.values())``. A value is
  dropped when it is empty, a missing-value code (``-999``, ``null``...) or not a
  number; each drop has a reason.

Beside the counts the record keeps the file's SHA-256, the detected format, the unit
conversions applied, the zone of the file's clock and why (how its timestamps became
UTC), each sensor's own time zone and how it was found (from the file, the user, its
coordinates or the UTC offsets of its times), whether timestamps mark the start,
the end or the instant of a measurement, the columns that were not read and why, and any
notes (for example a header that does not match its rows). A file that could not be read
at all has ``status="failed"`` and the error message.

A file that loses more than :data:`PARTIAL_THRESHOLD` (1 %) of its rows or of its values
for *structural* reasons has ``status="partial"``, with the reason in its notes, and
:func:`toolkit.load` warns naming it. Structural reasons are everything except what a
file says itself is not a value: empty cells, missing-value codes, rows with no
measurement at all, and lines that are not data (a repeated header, an error message
the platform wrote into the file). A row that does not fit the header, a timestamp that
cannot be read, or text where a number should be are structural: the data was there,
and the toolkit could not use it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_EXAMPLES", "PARTIAL_THRESHOLD", "FileRecord", "Ledger", "is_structural"]

#: How many example values are kept for each drop reason.
MAX_EXAMPLES = 3

#: Share of rows or values a file may lose for structural reasons and still be ``"ok"``.
PARTIAL_THRESHOLD = 0.01

#: Drop reasons (matched at the start, in lower case) that are not a structural loss: the
#: file itself says there is no value there, or the line is not data.
_NOT_A_LOSS = (
    "empty field",
    "missing-value code",
    "not a finite number",
    "no measurement values",
    "repeated header",
    "header line of a new column layout",
    "header line of another file joined to it",
    "purpleair api error message written into the file",
    "error message written into the file",
    "repeats a sensor listed earlier",
    "low uptime",
)


def is_structural(reason: str) -> bool:
    """Tell whether a drop reason is a structural loss (see the module docstring).

    Parameters
    ----------
    reason
        A key of :attr:`FileRecord.rows_dropped` or :attr:`FileRecord.readings_dropped`.

    Returns
    -------
    bool
        ``False`` for empty cells, missing-value codes, rows without any measurement and
        lines that are not data; ``True`` for everything else.

    Examples
    --------
    >>> is_structural("row does not have the header's 10 fields")
    True
    >>> is_structural("missing-value code '-999'")
    False
    """
    text = reason.strip().lower()
    return not any(text.startswith(p) for p in _NOT_A_LOSS)


def _add(
    counts: dict[str, int],
    examples: dict[str, list[str]],
    reason: str,
    n: int,
    sample: list[str] | None,
) -> None:
    if n <= 0:
        return
    counts[reason] = counts.get(reason, 0) + int(n)
    if sample:
        kept = examples.setdefault(reason, [])
        for item in sample:
            if len(kept) >= MAX_EXAMPLES:
                break
            kept.append(str(item))


@dataclass
class FileRecord:
    """Everything that happened to one file while it was read (see the module docstring).

    Attributes
    ----------
    path
        The file path, ``archive.zip::member.csv`` for a member of an archive, or
        ``<buffer>`` for an in-memory buffer.
    sha256
        SHA-256 of the file's bytes as read (after nothing was changed).
    format
        The detected format, ``source/variant`` (for example ``sensor_community/archive_csv``).
    status
        ``"ok"``; ``"partial"`` when more than 1 % of the rows or values were lost for
        structural reasons (see :meth:`assess`); ``"failed"``; or ``"skipped"``.
    error
        The error message of a failed file (or why a file was skipped).
    timezone, timezone_reason
        The zone of the file's clock (how its timestamps became UTC): ``"UTC"``, an
        IANA name, or ``"offsets"`` when the values carry them; and why.
    offsets
        The distinct UTC offsets the timestamps carried (``"+02:00"``), if any.
    sensor_zones
        Each sensor's own time zone (where it is, for local days) and how it was found:
        ``{sensor_id: (zone, how)}``, ``zone`` empty when unknown (see
        :mod:`toolkit._zones`).
    exception
        The error itself, for ``errors="raise"``-style re-raising; not shown.
    """

    path: str
    sha256: str = ""
    format: str = ""
    status: str = "ok"
    error: str | None = None
    rows_read: int = 0
    rows_kept: int = 0
    rows_dropped: dict[str, int] = field(default_factory=dict)
    row_examples: dict[str, list[str]] = field(default_factory=dict)
    values_read: int = 0
    readings_kept: int = 0
    readings_dropped: dict[str, int] = field(default_factory=dict)
    reading_examples: dict[str, list[str]] = field(default_factory=dict)
    conversions: list[str] = field(default_factory=list)
    timezone: str = ""
    timezone_reason: str = ""
    offsets: list[str] = field(default_factory=list)
    sensor_zones: dict[str, tuple[str, str]] = field(default_factory=dict)
    time_label: str = ""
    columns_ignored: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sensors: list[str] = field(default_factory=list)
    exception: Exception | None = field(default=None, repr=False, compare=False)

    # -- filling in -------------------------------------------------------------------
    def drop_rows(self, reason: str, n: int, examples: list[str] | None = None) -> None:
        """Record ``n`` whole rows dropped for ``reason``, with a few examples."""
        _add(self.rows_dropped, self.row_examples, reason, n, examples)

    def drop_readings(self, reason: str, n: int, examples: list[str] | None = None) -> None:
        """Record ``n`` values dropped for ``reason``, with a few examples."""
        _add(self.readings_dropped, self.reading_examples, reason, n, examples)

    def note(self, text: str) -> None:
        """Add a note (a warning or an explanation) once."""
        if text not in self.notes:
            self.notes.append(text)

    def ignore_column(self, column: str, reason: str) -> None:
        """Record a column that was not read as a measurement, and why."""
        self.columns_ignored.setdefault(str(column), reason)

    # -- checking ---------------------------------------------------------------------
    @property
    def structural_losses(self) -> tuple[int, int]:
        """Rows and values dropped for structural reasons (see :func:`is_structural`)."""
        rows = sum(n for r, n in self.rows_dropped.items() if is_structural(r))
        values = sum(n for r, n in self.readings_dropped.items() if is_structural(r))
        return rows, values

    def assess(self, *, threshold: float = PARTIAL_THRESHOLD) -> None:
        """Mark the file ``"partial"`` when it lost too much for structural reasons.

        A file of status ``"ok"`` becomes ``"partial"`` when the rows dropped for
        structural reasons exceed ``threshold`` of the rows read, or the values dropped
        for structural reasons exceed ``threshold`` of the values read; a note says what
        was lost and why. Failed and skipped files are left as they are.

        Parameters
        ----------
        threshold
            The share (0-1) of rows or values that may be lost; 1 % by default.
        """
        if self.status != "ok":
            return
        rows, values = self.structural_losses
        parts = []
        if self.rows_read and rows / self.rows_read > threshold:
            reasons = [r for r in self.rows_dropped if is_structural(r)]
            parts.append(
                f"{rows} of {self.rows_read} rows ({100 * rows / self.rows_read:.1f} %) "
                f"could not be read ({'; '.join(reasons)})"
            )
        if self.values_read and values / self.values_read > threshold:
            reasons = [r for r in self.readings_dropped if is_structural(r)]
            parts.append(
                f"{values} of {self.values_read} values "
                f"({100 * values / self.values_read:.1f} %) could not be read "
                f"({'; '.join(reasons)})"
            )
        if parts:
            self.status = "partial"
            self.note(
                "Partly read: "
                + " and ".join(parts)
                + ". Check the file (was it re-saved by a spreadsheet, cut short or "
                "joined from several downloads?): the examples in the ledger show the "
                "lines that were dropped. If the layout is one the toolkit misreads, "
                "give it yourself (toolkit.readers.read_csv_mapped for wide tables, "
                "read_long_csv for long ones)."
            )

    @property
    def rows_balanced(self) -> bool:
        """True when rows read = rows kept + rows dropped."""
        return self.rows_read == self.rows_kept + sum(self.rows_dropped.values())

    @property
    def readings_balanced(self) -> bool:
        """True when values read = readings kept + readings dropped."""
        return self.values_read == self.readings_kept + sum(self.readings_dropped.values())

    @property
    def balanced(self) -> bool:
        """True when both the row and the value accounts add up."""
        return self.rows_balanced and self.readings_balanced

    def copy(self) -> FileRecord:
        """Return an independent copy (the exception object is shared, not copied)."""
        import copy
        import dataclasses

        changes = {
            f.name: copy.deepcopy(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name != "exception"
        }
        return dataclasses.replace(self, **changes)

    # -- display ----------------------------------------------------------------------
    def zone_lines(self) -> list[str]:
        """Each sensor's zone and how it was found, grouped: ``"UTC (how): a, b"``."""
        groups: dict[tuple[str, str], list[str]] = {}
        for sensor, (zone, how) in self.sensor_zones.items():
            groups.setdefault((zone, how), []).append(sensor)
        lines = []
        for (zone, how), sensors in groups.items():
            shown = ", ".join(sensors[:5]) + (
                f" and {len(sensors) - 5} more" if len(sensors) > 5 else ""
            )
            if zone:
                lines.append(f"{zone} ({how}): {shown}")
            else:
                lines.append(f"unknown ({how.removeprefix('unknown: ')}): {shown}")
        return lines

    def __str__(self) -> str:
        lines = [f"{self.path}  [{self.format or 'unknown format'}]  {self.status}"]
        if self.status in ("failed", "skipped"):
            lines.append("  " + (self.error or "").replace("\n", "\n  "))
            return "\n".join(lines)
        lines.append(
            f"  rows: {self.rows_read} read = {self.rows_kept} kept"
            + "".join(f" + {n} dropped ({r})" for r, n in self.rows_dropped.items())
        )
        lines.append(
            f"  values: {self.values_read} read = {self.readings_kept} kept"
            + "".join(f" + {n} dropped ({r})" for r, n in self.readings_dropped.items())
        )
        for reason, examples in {**self.row_examples, **self.reading_examples}.items():
            lines.append(f"    e.g. {reason}: {'; '.join(examples)}")
        if self.timezone:
            lines.append(f"  file's clock: {self.timezone} ({self.timezone_reason})")
        lines.extend(f"  sensors' time zone: {z}" for z in self.zone_lines())
        if self.time_label:
            lines.append(f"  timestamps mark: {self.time_label}")
        lines.extend(f"  converted {c}" for c in self.conversions)
        if self.columns_ignored:
            ignored = ", ".join(f"{c} ({r})" for c, r in self.columns_ignored.items())
            lines.append(f"  columns not read: {ignored}")
        lines.extend(f"  note: {n}" for n in self.notes)
        lines.append(f"  sha256: {self.sha256}")
        return "\n".join(lines)


class Ledger(list[FileRecord]):
    """The list of :class:`FileRecord`, one per file read, with a summary table.

    Printed, it lists each file's account; in a notebook it shows a table.
    """

    def to_frame(self) -> pd.DataFrame:
        """Return one row per file with its counts, reasons and status.

        Returns
        -------
        pandas.DataFrame
            Columns ``path, format, status, rows_read, rows_kept, rows_dropped,
            values_read, readings_kept, readings_dropped, timezone (the file's clock),
            sensor_timezones (each sensor's zone and how it was found), time_label,
            conversions, notes, error, sha256``; the ``*_dropped`` columns give the
            total, with reasons spelled out in ``drop_reasons``.
        """
        import pandas as pd

        rows = []
        for rec in self:
            reasons = {
                **rec.rows_dropped,
                **{f"value: {k}": v for k, v in rec.readings_dropped.items()},
            }
            rows.append(
                {
                    "path": rec.path,
                    "format": rec.format,
                    "status": rec.status,
                    "rows_read": rec.rows_read,
                    "rows_kept": rec.rows_kept,
                    "rows_dropped": sum(rec.rows_dropped.values()),
                    "values_read": rec.values_read,
                    "readings_kept": rec.readings_kept,
                    "readings_dropped": sum(rec.readings_dropped.values()),
                    "drop_reasons": "; ".join(f"{k}: {v}" for k, v in reasons.items()),
                    "timezone": rec.timezone,
                    "sensor_timezones": "; ".join(rec.zone_lines()),
                    "time_label": rec.time_label,
                    "conversions": "; ".join(rec.conversions),
                    "notes": " | ".join(rec.notes),
                    "error": rec.error or "",
                    "sha256": rec.sha256,
                }
            )
        return pd.DataFrame(rows)

    @property
    def balanced(self) -> bool:
        """True when every file's accounts add up."""
        return all(rec.balanced for rec in self)

    @property
    def failed(self) -> list[FileRecord]:
        """The files that could not be read."""
        return [rec for rec in self if rec.status == "failed"]

    @property
    def partial(self) -> list[FileRecord]:
        """The files that were read only in part (see :meth:`FileRecord.assess`)."""
        return [rec for rec in self if rec.status == "partial"]

    def __str__(self) -> str:
        if not self:
            return "Ledger: no files read."
        kept = sum(r.readings_kept for r in self)
        dropped = sum(sum(r.readings_dropped.values()) for r in self)
        rows = sum(sum(r.rows_dropped.values()) for r in self)
        partial = f", {len(self.partial)} partly read" if self.partial else ""
        head = (
            f"Ledger: {len(self)} file(s), {len(self.failed)} failed{partial}; "
            f"{kept} readings kept, {dropped} values and {rows} rows dropped"
        )
        return "\n".join([head, *(str(rec) for rec in self)])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        if not self:
            return "<p>Ledger: no files read.</p>"
        head = (
            "<tr><th>file</th><th>format</th><th>status</th><th>rows read</th>"
            "<th>readings kept</th><th>dropped (reason: count)</th><th>time zone</th>"
            "<th>notes</th></tr>"
        )
        body = []
        for rec in self:
            reasons = [f"{k}: {v}" for k, v in rec.rows_dropped.items()]
            reasons += [f"{k}: {v}" for k, v in rec.readings_dropped.items()]
            notes = list(rec.notes) + ([rec.error] if rec.error else [])
            cells = [
                rec.path,
                rec.format,
                rec.status,
                str(rec.rows_read),
                str(rec.readings_kept),
                "<br>".join(html.escape(r) for r in reasons) or "none",
                "<br>".join(
                    html.escape(z)
                    for z in [
                        *(
                            [f"file's clock: {rec.timezone} ({rec.timezone_reason})"]
                            if rec.timezone
                            else []
                        ),
                        *(f"sensors: {z}" for z in rec.zone_lines()),
                    ]
                ),
                "<br>".join(html.escape(n) for n in notes),
            ]
            cells[:5] = [html.escape(c) for c in cells[:5]]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return (
            "<details open><summary><b>Ledger</b>: what happened to each file at load time"
            f"</summary><table>{head}{''.join(body)}</table></details>"
        )
