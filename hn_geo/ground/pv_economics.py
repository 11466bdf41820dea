"""The PV programme rules and economics defaults: ``hn_geo/data/pv_economics.yaml`` or a user's copy.

:func:`load_pv_economics` returns the plain mappings (``pilot``: source, shares, categories;
``economics``: values with sources) that :class:`hn_geo.solar.economics.EconomicParams` and
:func:`hn_geo.solar.programme.programme` take. A user's file may give only what it changes:
missing keys keep the embedded defaults.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from hn_geo.core.errors import HnGeoError
from hn_geo.ground.yamlfile import read_yaml


def default_path():
    """The embedded defaults file."""
    return Path(str(resources.files("hn_geo").joinpath("data/pv_economics.yaml")))


def _merge(base, over):
    out = dict(base)
    for k, v in (over or {}).items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def load_pv_economics(path=None):
    """The programme rules and economics (embedded defaults, overridden by ``path``).

    Returns
    -------
    dict
        ``{'pilot': {...}, 'economics': {...}}``.

    Raises
    ------
    HnGeoError
        The file is not a mapping with only ``pilot`` and ``economics`` sections.
    """
    data = read_yaml(default_path(), what="PV economics file")
    if path is None:
        return data
    user = read_yaml(Path(path), what="PV economics file")
    if not isinstance(user, dict) or set(user) - {"pilot", "economics"}:
        raise HnGeoError(code="solar.bad_economics_file",
                         params={"keys": sorted(map(str, user)) if isinstance(user, dict) else []}, path=path)
    return _merge(data, user)
