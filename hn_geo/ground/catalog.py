"""Layer catalog: the named layers of hn_geo, their schemas and default files.

A schema declares, for every layer, the id column, the geometry type, and each
field with its type, whether it is required, its Chinese and English labels
and its unit. Analyses never read files themselves: they ask
:func:`hn_geo.catalog.load_layer` for a validated GeoDataFrame in a known CRS.

CRS conventions
---------------
``STORAGE_CRS`` (EPSG:4490, CGCS2000 geographic) is the CRS every layer is
returned in; ``METRIC_CRS`` (EPSG:4549, CGCS2000 / 3-degree Gauss-Kruger
CM 120E) is used for areas, lengths and distances.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from hn_geo import vocabulary
from hn_geo.core.memory import rare_collections
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS, WGS84  # noqa: F401  (re-exported)

# dtype names used in schemas -> what validation coerces to
DTYPES = ("str", "int", "float", "bool", "date")


@dataclass(frozen=True)
class Field:
    """One attribute of a layer.

    Its words (label and unit) are in the vocabulary (``ground.columns`` of
    ``hn_geo/data/labels.yaml``, key ``<layer>.<field>`` or ``<field>``).

    Parameters
    ----------
    name : str
        Column name (English, snake_case).
    dtype : {'str', 'int', 'float', 'bool', 'date'}
    required : bool
        Missing column is an error when True.
    choices : tuple of str, optional
        Allowed values (for categorical text fields).
    nullable : bool
        Whether empty values are accepted in a present column.
    family : str, optional
        Value family of a coded field (``hn_geo/data/labels.yaml``): validation maps the
        family's Chinese or English words to its codes, and ``choices`` are those codes.
    layer : str, optional
        The layer the field belongs to (set by :class:`LayerSchema`).
    min, max : float, optional
        Range rule of a number field (inclusive): values outside are errors naming the
        file, feature and field. Number fields take finite values only (no ``inf``).
    aliases : tuple of str
        Other column names the field is found under (``adcode`` of DataV boundaries).
    towns : bool
        The field holds town names: they are matched to the official names
        (:func:`hn_geo.ground.towns.normalise_towns`) the same way everywhere.
    """

    name: str
    dtype: str
    required: bool = True
    choices: tuple = ()
    nullable: bool = False
    family: str | None = None
    layer: str | None = None
    min: float | None = None
    max: float | None = None
    aliases: tuple = ()
    towns: bool = False

    def _entry(self):
        keys = ([f"{self.layer}.{self.name}"] if self.layer else []) + [self.name]
        for key in keys:
            item = vocabulary.entry("columns", key, "ground")
            if item is not None:
                return item
        raise vocabulary.VocabularyError(f"no label for field {self.layer}.{self.name}")

    @property
    def zh(self):
        return self._entry()["zh"]

    @property
    def en(self):
        return self._entry()["en"]

    @property
    def unit(self):
        return self._entry().get("unit", "")

    def label(self, lang="zh", with_unit=True):
        text = self.zh if lang == "zh" else self.en
        if with_unit and self.unit:
            text = f"{text} ({self.unit})"
        return text


@dataclass(frozen=True)
class LayerSchema:
    """Declared schema of a named layer (its title is ``ground.layers.<name>`` of the
    vocabulary)."""

    name: str
    geometry: tuple  # accepted geometry types, e.g. ('Polygon', 'MultiPolygon')
    id_field: str
    fields: tuple
    default_file: str | None = None
    description: str = ""
    extra: dict = field(default_factory=dict)
    aoi: str | None = "inside"
    """How the features relate to the area of interest (:mod:`hn_geo.ground.aoi`):
    ``'inside'`` (within it, give or take its tolerance), ``'near'`` (context around it),
    ``'area'`` (the layer *is* the area: one outline of its size and place), None (no check)."""

    def __post_init__(self):
        object.__setattr__(self, "fields", tuple(replace(f, layer=self.name) for f in self.fields))

    @property
    def zh(self):
        return vocabulary.title("layers", self.name, "zh", "ground")

    @property
    def en(self):
        return vocabulary.title("layers", self.name, "en", "ground")

    def title(self, lang="zh"):
        return vocabulary.title("layers", self.name, lang, "ground")

    @property
    def required(self):
        return [f.name for f in self.fields if f.required]

    def field(self, name):
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def labels(self, lang="zh", with_unit=True):
        """Mapping column -> display label."""
        return {f.name: f.label(lang, with_unit) for f in self.fields}


POLY = ("Polygon", "MultiPolygon")
LINE = ("LineString", "MultiLineString")
POINT = ("Point",)
POINT_OR_POLY = ("Point", "Polygon", "MultiPolygon")

_APPROX = Field("approximate", "bool", required=False)
_SOURCE = Field("source", "str", required=False, nullable=True, family="ground.provenance")

TOWN_KINDS = ("subdistrict", "town")
BUILDING_TYPES = ("residential", "industrial", "public", "commercial")
ROOF_TYPES = ("flat", "pitched", "unknown")
PROJECT_STATUS = ("new", "expansion", "existing")

LOAD_T = {"min": 0.0, "max": 1e6}
"""Range of an annual pollutant load [t/a]: not negative, below a million tonnes (China's
whole NOx emission is about 10 Mt/a; one source above 1 Mt/a is a typing or unit error)."""
ENERGY_TCE = {"min": 0.0, "max": 1e8}
"""Range of an annual energy use [tce/a] (the largest plants use about 10 Mtce/a)."""

SCHEMAS: dict[str, LayerSchema] = {}


def _register(schema):
    SCHEMAS[schema.name] = schema
    return schema


_register(LayerSchema(
    "boundary", POLY, "code",
    (
        Field("code", "str", aliases=("adcode",)),
        Field("name", "str"),
        Field("area_km2", "float", required=False, min=0.0),
        _SOURCE, _APPROX,
    ),
    "boundary.gpkg",
    "County-level boundary of Haining (330481).",
    aoi="area",
))

_register(LayerSchema(
    "neighbors", POLY, "code",
    (
        Field("code", "str", aliases=("adcode",)),
        Field("name", "str"),
        _SOURCE, _APPROX,
    ),
    "neighbors.gpkg",
    "Counties/districts adjacent to Haining, for map context.",
    aoi="near",
))

_register(LayerSchema(
    "towns", POLY, "code",
    (
        Field("code", "str"),
        Field("name", "str"),
        Field("name_en", "str", required=False, nullable=True),
        Field("kind", "str", choices=TOWN_KINDS, family="town_kind"),
        Field("target_basic", "float", min=-100.0, max=100.0),
        Field("target_incentive", "float", min=-100.0, max=100.0),
        Field("seat_lon", "float", required=False, nullable=True, min=-180.0, max=180.0),
        Field("seat_lat", "float", required=False, nullable=True, min=-90.0, max=90.0),
        _SOURCE, _APPROX,
    ),
    "towns.gpkg",
    "The 12 township-level units of 附件1 with their energy-intensity targets.",
))

_register(LayerSchema(
    "parks", POLY, "park_id",
    (
        Field("park_id", "str"),
        Field("name", "str"),
        Field("level", "str", required=False, nullable=True),
        Field("town", "str", required=False, nullable=True, towns=True),
        Field("industries", "str", required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "parks.gpkg",
))

_register(LayerSchema(
    "rivers", LINE, "river_id",
    (
        Field("river_id", "str"),
        Field("name", "str"),
        Field("sea_entry", "bool", required=False),
        Field("flow_direction", "int", required=False, nullable=True, min=-1, max=1),
        _SOURCE, _APPROX,
    ),
    "rivers.gpkg",
    "River reaches; lines are digitised in flow direction unless flow_direction is -1.",
))

_register(LayerSchema(
    "sections", POINT, "section_id",
    (
        Field("section_id", "str"),
        Field("name", "str"),
        Field("river", "str"),
        Field("section_type", "str", choices=("provincial", "municipal", "handover"),
              family="section_type"),
        Field("upstream_unit", "str", required=False, nullable=True),
        Field("downstream_unit", "str", required=False, nullable=True),
        Field("water_body", "str", choices=("river", "lake"), family="water_body"),
        Field("target_class", "str"),
        _SOURCE, _APPROX,
    ),
    "sections.gpkg",
))

_register(LayerSchema(
    "emission_points", POINT, "point_id",
    (
        Field("point_id", "str"),
        Field("name", "str"),
        Field("industry_code", "str"),
        Field("industry", "str", required=False, nullable=True),
        Field("town", "str", towns=True),
        Field("nox_t", "float", **LOAD_T),
        Field("vocs_t", "float", **LOAD_T),
        Field("cod_t", "float", **LOAD_T),
        Field("nh3n_t", "float", **LOAD_T),
        Field("tp_t", "float", required=False, nullable=True, **LOAD_T),
        Field("energy_tce", "float", required=False, nullable=True, **ENERGY_TCE),
        _SOURCE, _APPROX,
    ),
    "emission_points.gpkg",
))

_register(LayerSchema(
    "control_units", POLY, "unit_code",
    (
        Field("unit_code", "str"),
        Field("name", "str"),
        Field("unit_type", "str", choices=("priority", "key", "general"), family="unit_type"),
        Field("sub_type", "str", required=False, nullable=True),
        Field("town", "str", required=False, nullable=True, towns=True),
        _SOURCE, _APPROX,
    ),
    "control_units.gpkg",
))

_register(LayerSchema(
    "red_line", POLY, "zone_id",
    (
        Field("zone_id", "str"),
        Field("name", "str"),
        _SOURCE, _APPROX,
    ),
    "red_line.gpkg",
))

_register(LayerSchema(
    "water_source", POLY, "zone_id",
    (
        Field("zone_id", "str"),
        Field("name", "str"),
        Field("grade", "str", required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "water_source.gpkg",
))

_register(LayerSchema(
    "buildings", POLY, "building_id",
    (
        Field("building_id", "str"),
        Field("town", "str", required=False, nullable=True, towns=True),
        # coded fields: 居住建筑/'Residential' -> 'residential', 平屋顶 -> 'flat' (further
        # synonyms such as 住宅 or 厂房: hn_geo.ground.buildings.normalise_building_types)
        Field("building_type", "str", choices=BUILDING_TYPES, family="building_type"),
        Field("storeys", "int", required=False, nullable=True, min=0, max=200),
        Field("height_m", "float", required=False, nullable=True, min=0.0, max=1000.0),
        Field("roof_type", "str", required=False, nullable=True, choices=ROOF_TYPES, family="roof_type"),
        _SOURCE, _APPROX,
    ),
    "buildings.parquet",
))

_register(LayerSchema(
    "projects", POINT_OR_POLY, "project_id",
    (
        Field("project_id", "str"),
        Field("name", "str"),
        Field("industry_code", "str"),
        Field("status", "str", choices=PROJECT_STATUS, family="project_status"),
        Field("town", "str", required=False, nullable=True, towns=True),
        Field("two_high", "bool", required=False),
        Field("energy_tce", "float", required=False, nullable=True, **ENERGY_TCE),
        Field("value_added_wan", "float", required=False, nullable=True, min=0.0),
        Field("solvent_type", "str", required=False, nullable=True),
        Field("nox_t", "float", required=False, nullable=True, **LOAD_T),
        Field("vocs_t", "float", required=False, nullable=True, **LOAD_T),
        Field("cod_t", "float", required=False, nullable=True, **LOAD_T),
        Field("nh3n_t", "float", required=False, nullable=True, **LOAD_T),
        _SOURCE, _APPROX,
    ),
    None,
    "Projects to screen against the 三线一单 access list (user input; demo file in layers/).",
))


def get_schema(name):
    """Return the :class:`LayerSchema` of a named layer.

    Raises
    ------
    KeyError
        With the list of known layer names.
    """
    try:
        return SCHEMAS[name]
    except KeyError:
        raise KeyError(f"unknown layer '{name}'; known layers: {', '.join(SCHEMAS)}") from None


def layers_dir():
    """Directory of the embedded default layers.

    ``HN_GEO_LAYERS`` overrides it. Installed, the repository's ``layers/``
    folder is the ``hn_geo.layers`` package (see setup.py).
    """
    env = os.environ.get("HN_GEO_LAYERS")
    if env:
        return Path(env)
    return Path(str(resources.files("hn_geo.layers")))


def default_path(name):
    """Path of a layer's embedded default file (may not exist)."""
    schema = get_schema(name)
    if schema.default_file is None:
        raise KeyError(f"layer '{name}' has no embedded default file")
    return layers_dir() / schema.default_file


def load_layer(name, path=None, *, layer=None, encoding=None, assume_crs=None,
               from_gcj02=False, validate=True, aoi=None):
    """Load a named layer, validated against its schema, in ``STORAGE_CRS``.

    Parameters
    ----------
    name : str
        Catalog name, e.g. ``'towns'``.
    path : str or Path, optional
        A user file to use for this layer (GeoJSON, GeoPackage, Shapefile,
        GeoParquet, CSV/XLSX with lon/lat columns). The embedded default when
        omitted.
    layer : str, optional
        Layer inside a multi-layer file (GeoPackage).
    encoding : str, optional
        Attribute encoding of a Shapefile without .cpg (guessed otherwise).
    assume_crs : str, optional
        CRS to assume when the file declares none.
    from_gcj02 : bool
        The coordinates are GCJ-02 (Amap/Gaode): convert them to WGS84.
    validate : bool
        Validate against the schema (default True).
    aoi : AreaOfInterest or str or Path or None or False
        Area of interest the features are checked against (:mod:`hn_geo.ground.aoi`):
        None for Haining (the embedded boundary), a polygon file or an
        :class:`~hn_geo.ground.aoi.AreaOfInterest` for another county, False for none.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    from hn_geo.ground import aoi as _aoi
    from hn_geo.ground import readers as io_r
    from hn_geo.ground import validate as _validate

    schema = get_schema(name)
    src = Path(path) if path is not None else default_path(name)
    with rare_collections():
        gdf = io_r.read_file(src, layer=layer, encoding=encoding, assume_crs=assume_crs,
                             from_gcj02=from_gcj02)
        if validate:
            gdf = _validate.validate(gdf, schema, path=src)
            _aoi.check_layer(gdf, schema, aoi, path=src)
        else:
            gdf = _validate.in_crs(gdf, STORAGE_CRS)
    gdf.attrs["hn_geo_layer"] = name
    gdf.attrs["hn_geo_source"] = str(src)
    return gdf
