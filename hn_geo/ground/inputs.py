"""Where a workflow's inputs come from: the user's files or the embedded defaults.

An :class:`Inputs` is built once -- by a CLI command from its options, or by the batch
pipeline from the run config -- and handed to a workflow, which asks it for catalog layers
(validated, in EPSG:4490, cached) and for input files (water results, town statistics,
rules, weather, DSM, plan targets). The same object serves every step of a run, so a
layer given in the config is read once and replaces the embedded one everywhere.

Examples
--------
>>> from hn_geo.ground.inputs import Inputs, LayerSource
>>> inputs = Inputs(layers={"sections": LayerSource("my_sections.gpkg")})  # doctest: +SKIP
>>> sections = inputs.layer("sections")            # the user's file, validated
>>> towns = inputs.layer("towns")                  # the embedded layer
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hn_geo.core.errors import HnGeoError
from hn_geo.ground import aoi as aoi_check
from hn_geo.ground import catalog, datasets, readers, validate

PREPARERS = {}
"""``{layer name: func(raw GeoDataFrame, path) -> GeoDataFrame}`` run on a user's file
before validation (e.g. Chinese building types to the schema's codes). Readers of a layer
register their own preparer here."""


@dataclass(frozen=True)
class LayerSource:
    """A user's file for one catalog layer, with the options to read it.

    Parameters
    ----------
    path : str or Path
    layer : str, optional
        Layer of a GeoPackage or sheet of a workbook.
    assume_crs : str, optional
        CRS of a file that declares none.
    encoding : str, optional
        Attribute encoding (overrides .cpg and detection).
    from_gcj02 : bool
        Coordinates are GCJ-02 (Amap/Gaode).
    """

    path: Path
    layer: str | None = None
    assume_crs: str | None = None
    encoding: str | None = None
    from_gcj02: bool = False


class MissingInput(LookupError):
    """A layer or input with neither a user file nor an embedded default."""


@dataclass
class Inputs:
    """The inputs of one command or run.

    Parameters
    ----------
    layers : dict
        ``{catalog layer name: LayerSource}`` for the layers the user gave.
    files : dict
        ``{input key: Path}``: water_results, detection_limits, town_stats, plan_targets,
        weather, dsm, rules, projects.
    aoi : AreaOfInterest or str or Path or None or False
        The area of interest every layer is checked against (:mod:`hn_geo.ground.aoi`):
        None for Haining (the embedded boundary), a polygon file for another county,
        False for no check.
    """

    layers: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    aoi: object = None
    _cache: dict = field(default_factory=dict, repr=False)

    def area(self):
        """The :class:`~hn_geo.ground.aoi.AreaOfInterest` of these inputs (None: no check)."""
        if "__aoi__" not in self._cache:
            self._cache["__aoi__"] = aoi_check.resolve(self.aoi)
        return self._cache["__aoi__"]

    def has_layer(self, name):
        """Whether ``name`` is the user's file or an embedded default exists."""
        if name in self.layers:
            return True
        schema = catalog.get_schema(name)
        return schema.default_file is not None and catalog.default_path(name).exists()

    def layer(self, name, *, optional=False):
        """A catalog layer, validated, in EPSG:4490 (a copy: callers may change it).

        Raises
        ------
        MissingInput
            No user file and no embedded default (None instead when ``optional``).
        """
        if name not in self._cache:
            if not self.has_layer(name):
                if optional:
                    return None
                raise MissingInput(name)
            self._cache[name] = self._load(name)
        return self._cache[name].copy()

    def _load(self, name):
        src = self.layers.get(name)
        area = self.area() or False
        if src is None:
            return catalog.load_layer(name, aoi=area)
        prepare = PREPARERS.get(name)
        if datasets.is_dataset(src.path):  # a folder of GeoParquet parts or a glob
            gdf = datasets.read_all(src.path, name, prepare=prepare, assume_crs=src.assume_crs,
                                    from_gcj02=src.from_gcj02)
            aoi_check.check_layer(gdf, catalog.get_schema(name), area, path=src.path)
            return gdf
        if prepare is None:
            return catalog.load_layer(name, src.path, layer=src.layer, encoding=src.encoding,
                                      assume_crs=src.assume_crs, from_gcj02=src.from_gcj02, aoi=area)
        raw = readers.read_file(src.path, layer=src.layer, encoding=src.encoding,
                                assume_crs=src.assume_crs, from_gcj02=src.from_gcj02)
        schema = catalog.get_schema(name)
        gdf = validate.validate(prepare(raw, src.path), schema, path=src.path)
        aoi_check.check_layer(gdf, schema, area, path=src.path)
        gdf.attrs.update(hn_geo_layer=name, hn_geo_source=str(src.path))
        return gdf

    def file(self, key, default=None):
        """The user's file for input ``key``, else ``default`` (e.g. an embedded file path
        that exists), else None."""
        if key in self.files and self.files[key] is not None:
            return Path(self.files[key])
        if default is not None and Path(default).exists():
            return Path(default)
        return None

    def is_user(self, name):
        """Whether layer ``name`` is the user's own file (not the embedded default)."""
        return name in self.layers

    def source_of(self, name):
        """The file a layer is read from (the user's or the embedded one)."""
        if name in self.layers:
            return Path(self.layers[name].path)
        return catalog.default_path(name)


def require_file(path, what):
    """``path`` as a Path, or an HnGeoError naming ``what`` when it is None."""
    if path is None:
        raise HnGeoError(code="ground.no_input", params={"what": what})
    return Path(path)


# readers that register a preparer for their layer (imported here so every Inputs has them)
from hn_geo.ground import buildings as _buildings  # noqa: E402,F401
