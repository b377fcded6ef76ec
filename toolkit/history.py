"""The history: every step that changed the data after loading.

Each :class:`Step` names what was done, with which parameters, on whose authority (a
citation) and how many readings it touched. Printed, a :class:`History` is a methods
table; a report's methods appendix is this history. It is the toolkit's answer to "who
decided how this number is made?".
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["History", "Step"]


@dataclass(frozen=True)
class Step:
    """One recorded step.

    Attributes
    ----------
    name
        Short name of the function or rule, for example ``"select"`` or ``"flag_range"``.
    description
        One plain-language sentence of what it did.
    parameters
        The parameters that decide the result, including defaults.
    citation
        The document or paper behind the rule, or ``""`` for a user's own choice.
    touched
        How many readings the step changed, flagged or removed.
    """

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    citation: str = ""
    touched: int = 0

    def __str__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        text = f"{self.name}({params}): {self.description} [{self.touched} readings]"
        return f"{text} Source: {self.citation}" if self.citation else text


class History(tuple[Step, ...]):
    """An immutable sequence of :class:`Step`; :meth:`then` returns a longer one."""

    def then(self, step: Step) -> History:
        """Return a new history with ``step`` added at the end."""
        return History((*self, step))

    def to_frame(self) -> pd.DataFrame:
        """Return the methods table: one row per step.

        Returns
        -------
        pandas.DataFrame
            Columns ``step, name, description, parameters, citation, touched``.
        """
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "step": i,
                    "name": s.name,
                    "description": s.description,
                    "parameters": ", ".join(f"{k}={v!r}" for k, v in s.parameters.items()),
                    "citation": s.citation,
                    "touched": s.touched,
                }
                for i, s in enumerate(self, start=1)
            ],
            columns=["step", "name", "description", "parameters", "citation", "touched"],
        )

    def __str__(self) -> str:
        if not self:
            return "History: no steps yet (the data is as loaded)."
        return "History:\n" + "\n".join(f"  {i}. {s}" for i, s in enumerate(self, start=1))

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        if not self:
            return "<p>History: no steps yet (the data is as loaded).</p>"
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(c))}</td>"
                for c in (
                    i,
                    s.name,
                    s.description,
                    ", ".join(f"{k}={v!r}" for k, v in s.parameters.items()),
                    s.citation,
                    s.touched,
                )
            )
            + "</tr>"
            for i, s in enumerate(self, start=1)
        )
        return (
            "<details open><summary><b>History</b>: every step since loading</summary>"
            "<table><tr><th>#</th><th>step</th><th>what it did</th><th>parameters</th>"
            f"<th>source</th><th>readings touched</th></tr>{rows}</table></details>"
        )
