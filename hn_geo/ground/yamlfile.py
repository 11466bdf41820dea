"""YAML files read with bounds: size, aliases and nesting are limited, errors name the file.

User YAML (run configs, access lists, plan targets) is untrusted input. PyYAML's safe loader
builds no objects, but it follows aliases: nine levels of nested aliases ("billion laughs")
make a 20-line file expand to billions of items as soon as anything walks it. Here a
document may use at most :data:`MAX_ALIASES` aliases and nest :data:`MAX_DEPTH` levels, and
the file may not exceed :data:`MAX_BYTES`.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg

MAX_BYTES = 8 * 1024 * 1024
MAX_ALIASES = 1000
MAX_DEPTH = 40
MAX_EXPANDED = 2_000_000
"""Most items the document may hold once every alias is expanded."""



class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts alias uses and nesting depth while composing."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name): refused")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels: refused")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        n = _expanded_size(node, {})
        if n > MAX_EXPANDED:
            raise yaml.YAMLError(f"aliases expand to {n:,} items (at most {MAX_EXPANDED:,}): refused")
        return self.construct_document(node)


def _expanded_size(node, memo):
    """Items the node holds with aliases expanded (shared nodes counted once per use)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # cycles (recursive aliases) count once
    if isinstance(node, yaml.SequenceNode):
        n = 1 + sum(_expanded_size(c, memo) for c in node.value)
    elif isinstance(node, yaml.MappingNode):
        n = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        n = 1
    memo[key] = min(n, 10 * MAX_EXPANDED)
    return memo[key]


def read_yaml(path, *, what="YAML file"):
    """Read a YAML file safely.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is, for messages ('run config', 'access list' ...).

    Returns
    -------
    object
        The document (None for an empty file).

    Raises
    ------
    HnGeoError
        Missing, too large, not UTF-8, not valid YAML, too many aliases or too deep; the
        message names the file (and the line, where YAML says it).
    """
    path = Path(path)
    if not path.is_file():
        raise HnGeoError(f"{what} not found", path=path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise HnGeoError(f"{what} is {size / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:.0f} MB are read",
                         path=path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            raw.decode("gb18030")
            hint = Msg("ground.yaml_looks_gbk")
        except UnicodeDecodeError:
            pass
        raise HnGeoError(f"{what} is not UTF-8 text{hint and ' (it looks GBK/GB18030-encoded)'}; "
                         f"byte {exc.start}", path=path, code="ground.yaml_not_utf8",
                         params={"what": what, "hint": hint, "byte": exc.start}) from None
    try:
        return yaml.load(text, Loader=BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        msg = str(exc)
        if len(msg) > 500:
            msg = msg[:500] + " …"
        raise HnGeoError(f"not valid YAML ({msg})", path=path) from None
