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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS, WGS84  # noqa: F401  (re-exported)

# dtype names used in schemas -> what validation coerces to
DTYPES = ("str", "int", "float", "bool", "date")


@dataclass(frozen=True)
class Field:
    """One attribute of a layer.

    Parameters
    ----------
    name : str
        Column name (English, snake_case).
    dtype : {'str', 'int', 'float', 'bool', 'date'}
    zh, en : str
        Labels for table headers and popups.
    unit : str
        Unit of measure ('' when dimensionless or text).
    required : bool
        Missing column is an error when True.
    choices : tuple of str, optional
        Allowed values (for categorical text fields).
    nullable : bool
        Whether empty values are accepted in a present column.
    family : str, optional
        Value family of a coded field (``hn_geo/data/labels.yaml``): validation maps the
        family's Chinese or English words to its codes, and ``choices`` are those codes.
    """

    name: str
    dtype: str
    zh: str
    en: str
    unit: str = ""
    required: bool = True
    choices: tuple = ()
    nullable: bool = False
    family: str | None = None

    def label(self, lang="zh", with_unit=True):
        text = self.zh if lang == "zh" else self.en
        if with_unit and self.unit:
            text = f"{text} ({self.unit})"
        return text


@dataclass(frozen=True)
class LayerSchema:
    """Declared schema of a named layer."""

    name: str
    zh: str
    en: str
    geometry: tuple  # accepted geometry types, e.g. ('Polygon', 'MultiPolygon')
    id_field: str
    fields: tuple
    default_file: str | None = None
    description: str = ""
    extra: dict = field(default_factory=dict)

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

_APPROX = Field("approximate", "bool", "近似/合成数据", "approximate or synthetic", required=False)
_SOURCE = Field("source", "str", "数据来源", "source", required=False, nullable=True)

TOWN_KINDS = ("街道", "镇")
SECTION_TYPES = ("省控", "市控", "交接")
WATER_BODIES = ("河流", "湖库")
UNIT_TYPES = ("优先保护", "重点管控", "一般管控")
BUILDING_TYPES = ("residential", "industrial", "public", "commercial")
ROOF_TYPES = ("flat", "pitched", "unknown")
PROJECT_STATUS = ("new", "expansion", "existing")

SCHEMAS: dict[str, LayerSchema] = {}


def _register(schema):
    SCHEMAS[schema.name] = schema
    return schema


_register(LayerSchema(
    "boundary", "海宁市行政边界", "Haining city boundary", POLY, "code",
    (
        Field("code", "str", "行政区划代码", "admin code"),
        Field("name", "str", "名称", "name"),
        Field("area_km2", "float", "面积", "area", "km²", required=False),
        _SOURCE, _APPROX,
    ),
    "boundary.gpkg",
    "County-level boundary of Haining (330481).",
))

_register(LayerSchema(
    "neighbors", "相邻区县", "Neighbouring counties", POLY, "code",
    (
        Field("code", "str", "行政区划代码", "admin code"),
        Field("name", "str", "名称", "name"),
        _SOURCE, _APPROX,
    ),
    "neighbors.gpkg",
    "Counties/districts adjacent to Haining, for map context.",
))

_register(LayerSchema(
    "towns", "镇（街道）", "Towns and subdistricts", POLY, "code",
    (
        Field("code", "str", "乡镇代码", "township code"),
        Field("name", "str", "镇（街道）", "town"),
        Field("name_en", "str", "英文名", "name (pinyin)", required=False, nullable=True),
        Field("kind", "str", "类型", "kind", choices=TOWN_KINDS),
        Field("target_basic", "float", "能耗强度降低基本目标", "intensity cut, basic target", "%"),
        Field("target_incentive", "float", "能耗强度降低激励目标", "intensity cut, incentive target", "%"),
        Field("seat_lon", "float", "驻地经度", "seat longitude", "°", required=False, nullable=True),
        Field("seat_lat", "float", "驻地纬度", "seat latitude", "°", required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "towns.gpkg",
    "The 12 township-level units of 附件1 with their energy-intensity targets.",
))

_register(LayerSchema(
    "parks", "产业园区（平台）", "Industrial parks and platforms", POLY, "park_id",
    (
        Field("park_id", "str", "园区编号", "park id"),
        Field("name", "str", "园区名称", "park name"),
        Field("level", "str", "级别", "level", required=False, nullable=True),
        Field("town", "str", "所在镇（街道）", "town", required=False, nullable=True),
        Field("industries", "str", "主导产业", "main industries", required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "parks.gpkg",
))

_register(LayerSchema(
    "rivers", "河流", "Rivers", LINE, "river_id",
    (
        Field("river_id", "str", "河段编号", "reach id"),
        Field("name", "str", "河流名称", "river"),
        Field("sea_entry", "bool", "入海河流", "sea-entry river", required=False),
        Field("flow_direction", "int", "流向（1顺线/-1逆线）", "flow (1 along line, -1 against)",
              required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "rivers.gpkg",
    "River reaches; lines are digitised in flow direction unless flow_direction is -1.",
))

_register(LayerSchema(
    "sections", "水质监测断面", "Water monitoring sections", POINT, "section_id",
    (
        Field("section_id", "str", "断面编号", "section id"),
        Field("name", "str", "断面名称", "section"),
        Field("river", "str", "所在河流", "river"),
        Field("section_type", "str", "断面类型", "section type", choices=SECTION_TYPES),
        Field("upstream_unit", "str", "上游行政区", "upstream unit", required=False, nullable=True),
        Field("downstream_unit", "str", "下游行政区", "downstream unit", required=False, nullable=True),
        Field("water_body", "str", "水体类型", "water body", choices=WATER_BODIES),
        Field("target_class", "str", "水质目标", "target class"),
        _SOURCE, _APPROX,
    ),
    "sections.gpkg",
))

_register(LayerSchema(
    "emission_points", "排放源（企业）", "Emission points (enterprises)", POINT, "point_id",
    (
        Field("point_id", "str", "排放源编号", "point id"),
        Field("name", "str", "企业名称", "enterprise"),
        Field("industry_code", "str", "行业代码", "industry code (GB/T 4754)"),
        Field("industry", "str", "行业", "industry", required=False, nullable=True),
        Field("town", "str", "所在镇（街道）", "town"),
        Field("nox_t", "float", "氮氧化物排放量", "NOx", "t/a"),
        Field("vocs_t", "float", "挥发性有机物排放量", "VOCs", "t/a"),
        Field("cod_t", "float", "化学需氧量排放量", "COD", "t/a"),
        Field("nh3n_t", "float", "氨氮排放量", "NH3-N", "t/a"),
        Field("tp_t", "float", "总磷排放量", "TP", "t/a", required=False, nullable=True),
        Field("energy_tce", "float", "综合能耗", "energy use", "tce/a", required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "emission_points.gpkg",
))

_register(LayerSchema(
    "control_units", "环境管控单元", "Environmental control units (三线一单)", POLY, "unit_code",
    (
        Field("unit_code", "str", "管控单元编码", "unit code"),
        Field("name", "str", "管控单元名称", "unit name"),
        Field("unit_type", "str", "管控类别", "unit type", choices=UNIT_TYPES),
        Field("sub_type", "str", "单元子类", "sub-type", required=False, nullable=True),
        Field("town", "str", "所在镇（街道）", "town", required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "control_units.gpkg",
))

_register(LayerSchema(
    "red_line", "生态保护红线", "Ecological protection red line", POLY, "zone_id",
    (
        Field("zone_id", "str", "编号", "zone id"),
        Field("name", "str", "名称", "name"),
        _SOURCE, _APPROX,
    ),
    "red_line.gpkg",
))

_register(LayerSchema(
    "water_source", "饮用水水源保护区", "Drinking-water source protection zones", POLY, "zone_id",
    (
        Field("zone_id", "str", "编号", "zone id"),
        Field("name", "str", "名称", "name"),
        Field("grade", "str", "保护区级别", "protection grade", required=False, nullable=True),
        _SOURCE, _APPROX,
    ),
    "water_source.gpkg",
))

_register(LayerSchema(
    "buildings", "建筑屋顶", "Building roofs", POLY, "building_id",
    (
        Field("building_id", "str", "建筑编号", "building id"),
        Field("town", "str", "所在镇（街道）", "town", required=False, nullable=True),
        Field("building_type", "str", "建筑类型", "building type", choices=BUILDING_TYPES),
        Field("storeys", "int", "层数", "storeys", required=False, nullable=True),
        Field("height_m", "float", "高度", "height", "m", required=False, nullable=True),
        Field("roof_type", "str", "屋顶类型", "roof type", required=False, nullable=True,
              choices=ROOF_TYPES),
        _SOURCE, _APPROX,
    ),
    "buildings.parquet",
))

_register(LayerSchema(
    "projects", "建设项目", "Projects (proposed or existing)", POINT_OR_POLY, "project_id",
    (
        Field("project_id", "str", "项目编号", "project id"),
        Field("name", "str", "项目名称", "project"),
        Field("industry_code", "str", "行业代码", "industry code (GB/T 4754)"),
        Field("status", "str", "建设性质", "status", choices=PROJECT_STATUS),
        Field("two_high", "bool", "两高项目", "high energy/high emission", required=False),
        Field("energy_tce", "float", "综合能耗", "energy use", "tce/a", required=False, nullable=True),
        Field("value_added_wan", "float", "工业增加值", "industrial value added", "万元",
              required=False, nullable=True),
        Field("solvent_type", "str", "溶剂类型", "solvent type", required=False, nullable=True),
        Field("nox_t", "float", "氮氧化物排放量", "NOx", "t/a", required=False, nullable=True),
        Field("vocs_t", "float", "挥发性有机物排放量", "VOCs", "t/a", required=False, nullable=True),
        Field("cod_t", "float", "化学需氧量排放量", "COD", "t/a", required=False, nullable=True),
        Field("nh3n_t", "float", "氨氮排放量", "NH3-N", "t/a", required=False, nullable=True),
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
               from_gcj02=False, validate=True):
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

    Returns
    -------
    geopandas.GeoDataFrame
    """
    from hn_geo.ground import readers as io_r
    from hn_geo.ground import validate as _validate

    schema = get_schema(name)
    src = Path(path) if path is not None else default_path(name)
    gdf = io_r.read_file(src, layer=layer, encoding=encoding, assume_crs=assume_crs,
                       from_gcj02=from_gcj02)
    if validate:
        gdf = _validate.validate(gdf, schema, path=src)
    else:
        gdf = gdf.to_crs(STORAGE_CRS)
    gdf.attrs["hn_geo_layer"] = name
    gdf.attrs["hn_geo_source"] = str(src)
    return gdf
