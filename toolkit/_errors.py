"""Friendly exceptions of the toolkit.

Every error says three things: what was wrong, what was found, and what to do next.
Each class subclasses a built-in exception (``ValueError``, ``KeyError``,
``FileNotFoundError``), so ``except ValueError`` in user code keeps working.

Messages are built with :func:`ToolkitError.__init__` keywords rather than by hand, so
they all read the same way::

    Could not read the timestamps in column 'timestamp'.
      File: 2017-08-30_sds011_sensor_5331.csv
      Found: 'yesterday', '30/08/2017 noon' (2 of 300 rows)
      What to do: write times as ISO 8601 (2017-08-30T11:27:23), or tell the reader
      their format with time_format="%d/%m/%Y %H:%M".
"""

from __future__ import annotations

__all__ = [
    "CoordinateError",
    "DataFormatError",
    "EmptyFileError",
    "MissingColumnError",
    "ReaderError",
    "SourceNotFoundError",
    "TimestampError",
    "ToolkitError",
    "UnitError",
    "UnknownLayoutError",
    "UnknownVariableError",
]


class ToolkitError(Exception):
    """Base class of the toolkit's errors: a message with a problem, a finding and a fix.

    Parameters
    ----------
    problem
        One sentence saying what is wrong.
    found
        What was actually found (values, columns, counts), if that helps.
    fix
        What the user can do about it; ideally a line of code to copy.
    file
        The file (or buffer name) the problem is in, if any.
    """

    def __init__(
        self,
        problem: str,
        *,
        found: str | None = None,
        fix: str | None = None,
        file: str | None = None,
    ) -> None:
        self.problem = problem
        self.found = found
        self.fix = fix
        self.file = file
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The full, multi-line message."""
        lines = [self.problem]
        if self.file:
            lines.append(f"  File: {self.file}")
        if self.found:
            lines.append(f"  Found: {self.found}")
        if self.fix:
            lines.append(f"  What to do: {self.fix}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message


class DataFormatError(ToolkitError, ValueError):
    """A file or buffer could not be read as the expected format."""


class EmptyFileError(DataFormatError):
    """A file holds no data rows (it is empty, or has a header only)."""


class ReaderError(DataFormatError):
    """A reader met a problem it was not written for (a bug to report, with the file).

    :func:`toolkit.load` turns any unexpected exception of a reader into this error, so
    one odd file does not stop the others; ``__cause__`` holds the original exception.
    """


class UnknownLayoutError(DataFormatError):
    """No reader recognises the file's layout.

    The message lists the columns that were found and a ready-to-edit column mapping for
    :func:`toolkit.readers.read_csv_mapped`.
    """


class TimestampError(ToolkitError, ValueError):
    """Timestamps are unreadable, ambiguous, or lack the time zone needed to place them."""


class CoordinateError(ToolkitError, ValueError):
    """Latitude or longitude outside the possible range (±90°, ±180°)."""


class UnitError(ToolkitError, ValueError):
    """A unit is unknown, or cannot be converted to the variable's canonical unit."""


class UnknownVariableError(ToolkitError, KeyError):
    """A variable name is not in the canonical variables table."""


class MissingColumnError(ToolkitError, KeyError):
    """A column that is needed is not in the data."""


class SourceNotFoundError(ToolkitError, FileNotFoundError):
    """A path, glob or folder given to a reader matches no file."""
