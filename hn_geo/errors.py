"""Exceptions and warnings raised by hn_geo.

Every error about user input names the file, and where it can the row/feature
and the field, so a bureau analyst can open the file and fix it.
"""
from __future__ import annotations


class HnGeoError(ValueError):
    """Bad input or configuration that hn_geo cannot repair.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str, optional
        The file the problem is in.
    row : int or str, optional
        Row number (1-based, as a spreadsheet shows it) or feature id.
    field : str, optional
        Column / attribute name.
    """

    def __init__(self, message, path=None, row=None, field=None):
        self.path = None if path is None else str(path)
        self.row = row
        self.field = field
        self.message = message
        super().__init__(self._format())

    def _format(self):
        where = []
        if self.path:
            where.append(f"file {self.path}")
        if self.row is not None:
            where.append(f"row/feature {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{'; '.join(where)}: {self.message}" if where else self.message


class HnGeoWarning(UserWarning):
    """Input was repaired or partly ignored; the message counts what was done."""
