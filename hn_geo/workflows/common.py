"""What every workflow returns, and the small helpers they share."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """The result of one workflow run.

    Attributes
    ----------
    result : AnalysisResult or None
        The analysis result (None for output workflows: report, maps, share).
    files : list of Path
        Every file written, in order.
    """

    result: object = None
    files: list = field(default_factory=list)


def given(**options):
    """The options that were given (not None): what a workflow passes on to an analysis."""
    return {k: v for k, v in options.items() if v is not None}
