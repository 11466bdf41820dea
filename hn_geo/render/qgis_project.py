"""The QGIS side of a share package: styles in the GeoPackage, a project, style files.

:func:`add_qgis` writes, next to the package's GeoPackage,

* the ``layer_styles`` table inside it (the table QGIS itself reads and writes: one row per
  layer -- per geometry type of a layer holding points and polygons -- with its QML and SLD,
  the default style QGIS applies when the layer is opened on its own);
* ``<package>.qgz`` -- a QGIS project: the layers grouped by analysis (the catalog layers in
  a group of their own, at the bottom), drawn polygons under lines under points, in
  CGCS2000 (EPSG:4490), with a map theme per analysis as the offline maps show them (the
  overview: the catalog layers without control units, red line, water sources and roofs;
  an analysis: its layers over the boundary, towns and rivers); it opens on the overview.
  Data sources are relative (``./<package>.gpkg``), so the unzipped folder can be moved;
* ``styles/<layer>.qml`` and ``styles/<layer>.sld`` -- the same styles as files.

The project XML is written here, not by QGIS: QGIS is not needed to make a package.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyogrio
from pyproj import CRS

from hn_geo.core.settings import STORAGE_CRS
from hn_geo.core.version import __version__
from hn_geo.render.labels import ui
from hn_geo.render.maps.layers import DRAW_ORDER
from hn_geo.render.maps.page import HIDDEN_ON_OVERVIEW
from hn_geo.render.qgis_xml import QGIS_VERSION, maplayer_parts, qml, sld

HIDDEN_BASE = (*HIDDEN_ON_OVERVIEW, "buildings")
"""Catalog layers not shown on the overview theme (as on the overview map; roofs are many)."""
THEME_CONTEXT = ("boundary", "towns", "rivers")
"""Catalog layers shown under each analysis' layers in its map theme."""
GEOMETRY_NAMES = {"point": "Point", "line": "Line", "polygon": "Polygon"}
BASE_GROUP = "ground"


@dataclass
class ProjectLayer:
    """One map layer of the project: a style of a GeoPackage layer and its facts."""

    style: object               # QgisStyle
    columns: list               # attribute columns, in file order
    group: str                  # 'ground' or an analysis name
    group_title: str
    key: str                    # catalog name or result layer key (drawing order)
    extent: list | None = None  # [minx, miny, maxx, maxy] in EPSG:4490
    wkb_type: str = "Unknown"
    visible: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def style_stem(self):
        """File stem of its style files (``<layer>`` or ``<layer>_<geometry type>``)."""
        gt = self.style.geometry_type
        return self.style.layer + (f"_{gt.lower()}" if gt else "")

    @property
    def layer_id(self):
        return f"{self.style_stem}_{hashlib.sha1(self.style_stem.encode()).hexdigest()[:8]}"

    def source(self, gpkg):
        gt = self.style.geometry_type
        return f"./{gpkg}|layername={self.style.layer}" + (f"|geometrytype={gt}" if gt else "")

    @property
    def name(self):
        gt = self.style.geometry_type
        return self.style.title if not gt else f"{self.style.title} ({gt})"


# ----------------------------------------------------------------------------- layer_styles
def write_layer_styles(gpkg, layers, lang):
    """Add QGIS' ``layer_styles`` table to a GeoPackage: each layer's QML and SLD, default."""
    now = pd.Timestamp(_dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None, microsecond=0))
    first = {}
    rows = []
    for pl in layers:
        st = pl.style
        default = st.layer not in first
        first.setdefault(st.layer, pl)
        rows.append({"f_table_catalog": "", "f_table_schema": "", "f_table_name": st.layer,
                     "f_geometry_column": "geom", "styleName": pl.name, "styleQML": qml(st, pl.columns),
                     "styleSLD": sld(st), "useAsDefault": default,
                     "description": ui("qgis_style_description", lang, version=__version__),
                     "owner": "", "ui": None, "update_time": now})
    frame = pd.DataFrame(rows)
    frame["ui"] = frame["ui"].astype(object)
    pyogrio.write_dataframe(frame, gpkg, driver="GPKG", layer="layer_styles", append=True,
                            layer_options={"FID": "id"})


# ----------------------------------------------------------------------------- project XML
def _text(parent, tag, text):
    el = ET.SubElement(parent, tag)
    el.text = "" if text is None else str(text)
    return el


def srs_element(parent, crs=STORAGE_CRS):
    """``<spatialrefsys>`` of a CRS as QGIS writes it (identified by its authority code)."""
    c = CRS.from_user_input(crs)
    auth = c.to_authority() or ("EPSG", "4490")
    srs = ET.SubElement(parent, "spatialrefsys", {"nativeFormat": "Wkt"})
    _text(srs, "wkt", c.to_wkt())
    _text(srs, "proj4", "+proj=longlat +ellps=GRS80 +no_defs" if c.is_geographic else "")
    _text(srs, "srid", auth[1])
    _text(srs, "authid", f"{auth[0]}:{auth[1]}")
    _text(srs, "description", c.name)
    _text(srs, "projectionacronym", "longlat" if c.is_geographic else "")
    _text(srs, "ellipsoidacronym", "EPSG:1024" if auth == ("EPSG", "4490") else "")
    _text(srs, "geographicflag", "true" if c.is_geographic else "false")
    return srs


def _extent(parent, tag, box):
    el = ET.SubElement(parent, tag)
    for k, v in zip(("xmin", "ymin", "xmax", "ymax"), box or (0, 0, 0, 0)):
        _text(el, k, repr(float(v)))
    return el


def _draw_rank(pl):
    geom = {"polygon": 0, "line": 1, "point": 2}[pl.style.geom]
    key = DRAW_ORDER.index(pl.key) if pl.key in DRAW_ORDER else len(DRAW_ORDER)
    return (geom, pl.group == BASE_GROUP, key)


def drawing_order(layers):
    """Layers from the top of the map down: points over lines over polygons, results over
    catalog layers of the same kind."""
    return sorted(layers, key=_draw_rank, reverse=True)


def _groups(layers):
    groups = {}
    for pl in layers:
        groups.setdefault(pl.group, []).append(pl)
    order = [g for g in groups if g != BASE_GROUP] + ([BASE_GROUP] if BASE_GROUP in groups else [])
    return [(g, drawing_order(groups[g])) for g in order]


def _tree(root, layers, gpkg):
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    for group, members in _groups(layers):
        checked = group == BASE_GROUP
        node = ET.SubElement(tree, "layer-tree-group", {
            "name": members[0].group_title, "checked": "Qt::Checked" if checked else "Qt::Unchecked",
            "expanded": "1"})
        ET.SubElement(node, "customproperties")
        for pl in members:
            ET.SubElement(node, "layer-tree-layer", {
                "id": pl.layer_id, "name": pl.name, "source": pl.source(gpkg), "providerKey": "ogr",
                "checked": "Qt::Checked" if pl.visible else "Qt::Unchecked", "expanded": "1"})
    order = ET.SubElement(tree, "custom-order", {"enabled": "1"})
    for pl in drawing_order(layers):
        _text(order, "item", pl.layer_id)


def _maplayer(parent, pl, gpkg):
    st = pl.style
    el = ET.SubElement(parent, "maplayer", {
        "type": "vector", "geometry": GEOMETRY_NAMES[st.geom], "wkbType": pl.wkb_type,
        "styleCategories": "AllStyleCategories", "labelsEnabled": "1" if st.label_field else "0",
        "hasScaleBasedVisibilityFlag": "0", "minScale": "100000000", "maxScale": "0", "readOnly": "0"})
    _extent(el, "extent", pl.extent)
    _text(el, "id", pl.layer_id)
    _text(el, "datasource", pl.source(gpkg))
    _text(el, "layername", pl.name)
    srs_element(ET.SubElement(el, "srs"))
    ET.SubElement(el, "provider", {"encoding": "UTF-8"}).text = "ogr"
    manager = ET.SubElement(el, "map-layer-style-manager", {"current": "default"})
    ET.SubElement(manager, "map-layer-style", {"name": "default"})
    el.extend(maplayer_parts(st, pl.columns))
    _text(el, "layerGeometryType", {"point": 0, "line": 1, "polygon": 2}[st.geom])


def themes(layers, lang, contexts=None):
    """``{theme name: [layer ids shown]}``: the overview, then one per analysis group over its
    context layers (``contexts``: ``{analysis: catalog layer names}``, default
    :data:`THEME_CONTEXT`; a catalog layer an analysis has its own layer of is left out)."""
    base = [pl for pl in layers if pl.group == BASE_GROUP]
    out = {ui("qgis_theme_overview", lang): [pl.layer_id for pl in base if pl.key not in HIDDEN_BASE]}
    for group, members in _groups(layers):
        if group == BASE_GROUP:
            continue
        keys = {pl.key for pl in members}
        names = (contexts or {}).get(group, THEME_CONTEXT)
        context = [pl.layer_id for pl in base if pl.key in names and pl.key not in keys]
        out[members[0].group_title] = context + [pl.layer_id for pl in members]
    return out


def _themes(root, layers, lang, contexts):
    presets = ET.SubElement(root, "visibility-presets")
    by_id = {pl.layer_id: pl for pl in layers}
    for name, ids in themes(layers, lang, contexts).items():
        p = ET.SubElement(presets, "visibility-preset", {"name": name, "has-checked-group-info": "1",
                                                          "has-expanded-info": "1"})
        for lid in ids:
            ET.SubElement(p, "layer", {"id": lid, "visible": "1", "style": "default", "expanded": "1"})
        checked = ET.SubElement(p, "checked-group-nodes")
        for title in dict.fromkeys(by_id[lid].group_title for lid in ids):
            ET.SubElement(checked, "checked-group-node", {"id": title})
        expanded = ET.SubElement(p, "expanded-group-nodes")
        for title in dict.fromkeys(pl.group_title for pl in layers):
            ET.SubElement(expanded, "expanded-group-node", {"id": title})


def _union(boxes):
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def project_xml(layers, *, gpkg, title, lang="zh", created=None, contexts=None):
    """The ``.qgs`` text of a project of ``layers`` (:class:`ProjectLayer`) read from ``gpkg``
    (``contexts``: see :func:`themes`)."""
    root = ET.Element("qgis", {"projectname": title, "version": QGIS_VERSION, "saveUser": "hn_geo",
                               "saveUserFull": f"hn_geo {__version__}"})
    ET.SubElement(root, "homePath", {"path": ""})
    _text(root, "title", title)
    ET.SubElement(root, "autotransaction", {"active": "0"})
    ET.SubElement(root, "evaluateDefaultValues", {"active": "0"})
    ET.SubElement(root, "trust", {"active": "0"})
    srs_element(ET.SubElement(root, "projectCrs"))
    _tree(root, layers, gpkg)
    projectlayers = ET.SubElement(root, "projectlayers")
    for pl in layers:
        _maplayer(projectlayers, pl, gpkg)
    lo = ET.SubElement(root, "layerorder")
    for pl in drawing_order(layers):
        ET.SubElement(lo, "layer", {"id": pl.layer_id})
    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", {"type": "bool"}).text = "false"
    # QGIS reads <projectCrs> only when the project says it reprojects on the fly
    ET.SubElement(ET.SubElement(props, "SpatialRefSys"), "ProjectionsEnabled", {"type": "int"}).text = "1"
    canvas = ET.SubElement(root, "mapcanvas", {"name": "theMapCanvas", "annotationsVisible": "1"})
    _text(canvas, "units", "degrees")
    base = [pl.extent for pl in layers if pl.key == "boundary"] or [pl.extent for pl in layers]
    _extent(canvas, "extent", _union(base))
    _text(canvas, "rotation", "0")
    srs_element(ET.SubElement(canvas, "destinationsrs"))
    _themes(root, layers, lang, contexts)
    meta = ET.SubElement(root, "projectMetadata")
    _text(meta, "title", title)
    _text(meta, "abstract", ui("qgis_project_abstract", lang, version=__version__))
    _text(meta, "language", "zh-CN" if lang == "zh" else "en")
    _text(meta, "author", f"hn_geo {__version__}")
    _text(meta, "creation", (created or _dt.datetime.now()).strftime("%Y-%m-%dT%H:%M:%S"))
    ET.indent(root, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


def write_qgz(path, text):
    """Write a ``.qgz``: a zip holding the ``.qgs`` of the same stem."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{path.stem}.qgs", text.encode("utf-8"))
    return path


# ----------------------------------------------------------------------------- the package's part
def add_qgis(root, gpkg, layers, *, lang="zh", title=None, created=None, contexts=None):
    """Write the QGIS part of a package into ``root`` (see the module docstring).

    Parameters
    ----------
    root : Path
        The package's folder (holding ``gpkg``).
    gpkg : str
        The GeoPackage's file name.
    layers : list of ProjectLayer
    title : str, optional
        The project's title.
    contexts : dict, optional
        ``{analysis: catalog layer names}`` drawn under the analysis in its map theme.

    Returns
    -------
    list of str
        File names written (relative to ``root``); the GeoPackage is changed in place.
    """
    root = Path(root)
    write_layer_styles(root / gpkg, layers, lang)
    (root / "styles").mkdir(exist_ok=True)
    names = []
    for pl in layers:
        for suffix, text in ((".qml", qml(pl.style, pl.columns)), (".sld", sld(pl.style))):
            (root / "styles" / f"{pl.style_stem}{suffix}").write_text(text, encoding="utf-8")
            names.append(f"styles/{pl.style_stem}{suffix}")
    qgz = f"{Path(gpkg).stem}.qgz"
    write_qgz(root / qgz, project_xml(layers, gpkg=gpkg, title=title or ui("qgis_project_title", lang),
                                      lang=lang, created=created, contexts=contexts))
    return [qgz, *names]
