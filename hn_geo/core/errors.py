"""Exceptions and warnings raised by hn_geo, as codes with parameters.

Every error about user input names the file, and where it can the row/feature and the
field, so a bureau analyst can open the file and fix it. An error or warning carries a
message ``code`` (``hn_geo/data/labels.yaml``, ``messages:``) and its parameters;
:mod:`hn_geo.vocabulary` renders it in Chinese or English. Errors raised before the
vocabulary is loaded, or with a plain ``message``, print that text.
"""
from __future__ import annotations

_renderer = None


def set_renderer(func):
    """Install ``func(code, params, where) -> str`` used by ``str()`` of errors and warnings.

    :mod:`hn_geo.vocabulary` installs itself when imported (dependency inversion: this
    module does not import it).
    """
    global _renderer
    _renderer = func


def _where(path, row, field):
    return {"path": None if path is None else str(path), "row": row, "field": field}


def _rebuild(cls, args, kwargs):
    return cls(*args, **kwargs)


class HnGeoError(ValueError):
    """Bad input or configuration that hn_geo cannot repair.

    Parameters
    ----------
    message : str, optional
        What is wrong, in English (used when no ``code`` is given).
    path : str, optional
        The file the problem is in.
    row : int or str, optional
        Row number (1-based, as a spreadsheet shows it) or feature id.
    field : str, optional
        Column / attribute name.
    code : str, optional
        Message code; ``params`` fill its template.
    params : dict, optional
    """

    def __init__(self, message=None, path=None, row=None, field=None, *, code=None, params=None):
        self.path = None if path is None else str(path)
        self.row = row
        self.field = field
        self.code = code
        self.params = dict(params or {})
        self.message = message if message is not None else code
        super().__init__(self.message)

    def __reduce__(self):  # keep code, params and where through pickling (dask workers)
        return _rebuild, (type(self), (self.message, self.path, self.row, self.field),
                          {"code": self.code, "params": self.params})

    def render(self, lang=None):
        """The message in ``lang`` (default: :data:`hn_geo.core.settings.lang`)."""
        if _renderer is not None:
            return _renderer(self.code, self.params, _where(self.path, self.row, self.field),
                             lang, self.message)
        where = []
        if self.path:
            where.append(f"file {self.path}")
        if self.row is not None:
            where.append(f"row/feature {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        text = self.message if self.code is None else f"{self.code} {self.params}"
        return f"{'; '.join(where)}: {text}" if where else str(text)

    def __str__(self):
        return self.render()


class HnGeoWarning(UserWarning):
    """Input was repaired or partly ignored; the message counts what was done.

    Parameters
    ----------
    code : str
        Message code (or an English sentence, for warnings not yet given a code).
    path : str, optional
        The file concerned.
    **params
        Values of the template (counts, names, ...).
    """

    def __init__(self, code, path=None, **params):
        self.code = code
        self.path = None if path is None else str(path)
        self.params = params
        super().__init__(code)

    def __reduce__(self):  # keep path and params through pickling (dask workers)
        return _rebuild, (type(self), (self.code, self.path), dict(self.params))

    def render(self, lang=None):
        if _renderer is not None:
            return _renderer(self.code, self.params, _where(self.path, None, None), lang, None)
        prefix = f"{self.path}: " if self.path else ""
        return f"{prefix}{self.code} {self.params}" if self.params else f"{prefix}{self.code}"

    def __str__(self):
        return self.render()
