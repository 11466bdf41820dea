"""The PV programme rules and economics defaults: ``hn_geo/data/pv_economics.yaml`` or a user's copy.

:func:`load_pv_economics` returns the plain mappings (``pilot``: source, shares, categories;
``economics``: values with sources) that :class:`hn_geo.solar.economics.EconomicParams` and
:func:`hn_geo.solar.programme.programme` take. A user's file may give only what it changes:
missing keys keep the embedded defaults; a value the file changes without giving its own
``source`` is sourced to the file (its name).
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
        atomic = k == "source" or not (isinstance(v, dict) and isinstance(base.get(k), dict))
        out[k] = v if atomic else _merge(base[k], v)
    return out


def _own_sources(user, name):
    """A user's value without a source of its own is sourced to the user's file."""
    pilot = user.get("pilot")
    if isinstance(pilot, dict) and "shares" in pilot and "source" not in pilot:
        pilot["source"] = name
    for key, item in (user.get("economics") or {}).items():
        if isinstance(item, dict):
            item.setdefault("source", name)
        else:
            user["economics"][key] = {"value": item, "source": name}
    return user


def _texts(node, lang):
    """Every ``source`` given as ``{zh: ..., en: ...}`` replaced by its text in ``lang``."""
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "source" and isinstance(v, dict):
            out[k] = str(v.get(lang) or next(iter(v.values()), ""))
        else:
            out[k] = _texts(v, lang)
    return out


def load_pv_economics(path=None, *, lang="zh"):
    """The programme rules and economics (embedded defaults, overridden by ``path``), with
    each ``source`` in the outputs' language ``lang`` (a source may be one text or
    ``{zh: ..., en: ...}``).

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
        return _texts(data, lang)
    user = read_yaml(Path(path), what="PV economics file")
    if not isinstance(user, dict) or set(user) - {"pilot", "economics"}:
        raise HnGeoError(code="solar.bad_economics_file",
                         params={"keys": sorted(map(str, user)) if isinstance(user, dict) else []}, path=path)
    return _texts(_merge(data, _own_sources(user, Path(path).name)), lang)
