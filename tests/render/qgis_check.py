"""Open an unzipped share package in real QGIS and report what QGIS sees, as JSON.

Run by ``test_share_qgis.py`` under Debian's ``/usr/bin/python3`` (with ``python3-qgis``) and
``QT_QPA_PLATFORM=offscreen``, never under the test virtualenv::

    /usr/bin/python3 tests/render/qgis_check.py PACKAGE_DIR PNG_DIR > report.json
    /usr/bin/python3 tests/render/qgis_check.py --gpkg FILE.gpkg PNG_DIR > report.json

It loads ``<package>.qgz`` and reports, per layer of the project: valid, feature count,
renderer type, aliases, labels, the symbol colours QGIS draws the first features with (and
features no class of the renderer draws); then loads every GeoPackage layer on its own
(QGIS applies the default style of the ``layer_styles`` table) and every SLD file; and
renders the project as opened (the overview theme), each map theme and all layers to PNGs.
With ``--gpkg``: every feature layer of one GeoPackage opened on its own (its default style
from ``layer_styles``), described and rendered together to ``gpkg.png``.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

MAX_FEATURES = 400


def symbol_colours(layer):
    """``{fid: [fill, stroke]}`` of the first features as the renderer draws them, and the
    number of features no rule or class draws."""
    r = layer.renderer().clone()
    ctx = QgsRenderContext()
    r.startRender(ctx, layer.fields())
    out, undrawn = {}, 0
    for i, f in enumerate(layer.getFeatures()):
        syms = r.symbolsForFeature(f, ctx)
        if not syms:
            undrawn += 1
            continue
        if i < MAX_FEATURES:
            sl = syms[0].symbolLayer(0)
            fill = sl.color().name() if sl.color().alpha() else None
            stroke = sl.strokeColor().name() if hasattr(sl, "strokeColor") else sl.color().name()
            out[str(f.id())] = {"fill": fill, "stroke": stroke, "n_symbols": len(syms),
                                "strokes": [s.symbolLayer(0).strokeColor().name() for s in syms
                                            if hasattr(s.symbolLayer(0), "strokeColor")]}
    r.stopRender(ctx)
    return out, undrawn


def describe(layer):
    r = layer.renderer()
    info = {"name": layer.name(), "valid": layer.isValid(), "features": layer.featureCount(),
            "source": layer.source(), "renderer": r.type() if r else None, "crs": layer.crs().authid(),
            "labels": layer.labelsEnabled(),
            "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(layer.fields())},
            "display": layer.displayExpression()}
    if r and r.type() == "singleSymbol":
        info["single_colour"] = r.symbol().color().name()
    if r and r.type() in ("categorizedSymbol", "graduatedSymbol", "RuleRenderer"):
        info["legend"] = [item.label() for item in r.legendSymbolItems()]
    if layer.isValid() and r:  # no renderer: a table without geometry (an empty layer)
        info["colours"], info["undrawn"] = symbol_colours(layer)
    return info


def render(layers, extent, crs, path):
    ms = QgsMapSettings()
    ms.setLayers(layers)
    ms.setDestinationCrs(crs)
    ms.setExtent(extent)
    ms.setOutputSize(QSize(1000, 700))
    ms.setBackgroundColor(QColor("white"))
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(path))
    return str(path)


def main(pkg, png_dir):
    app = QgsApplication([], False)
    app.initQgis()
    project_file = next(pkg.glob("*.qgz"))
    project = QgsProject.instance()
    report = {"read": project.read(str(project_file)), "crs": project.crs().authid(), "title": project.title()}
    root = project.layerTreeRoot()
    report["groups"] = [g.name() for g in root.children()]
    report["layers"] = {lid: describe(lyr) for lid, lyr in project.mapLayers().items()}
    report["order"] = [lyr.id() for lyr in root.layerOrder()]
    report["visible"] = [n.layerId() for n in root.findLayers() if n.isVisible()]
    report["themes"] = {t: project.mapThemeCollection().mapThemeVisibleLayerIds(t)
                        for t in project.mapThemeCollection().mapThemes()}
    boundary = [lyr for lyr in project.mapLayers().values() if "layername=boundary" in lyr.source()]
    extent = QgsRectangle(boundary[0].extent()) if boundary else root.layerOrder()[0].extent()
    extent.scale(1.1)
    visible = [lyr for lyr in root.layerOrder() if lyr.id() in report["visible"]]
    png = Path(png_dir)
    report["png"] = {"opened": render(visible, extent, project.crs(), png / "opened.png"),
                     "all": render(root.layerOrder(), extent, project.crs(), png / "all.png")}
    for k, (theme, ids) in enumerate(report["themes"].items()):
        layers = [lyr for lyr in root.layerOrder() if lyr.id() in ids]
        report["png"][theme] = render(layers, extent, project.crs(), png / f"theme_{k}.png")
    report["standalone"], report["sld"] = {}, {}
    for lyr in project.mapLayers().values():
        alone = QgsVectorLayer(lyr.source(), "alone", "ogr")  # the layer_styles default applies
        report["standalone"][lyr.id()] = describe(alone) if alone.isValid() else {"valid": False}
        parts = dict(p.split("=", 1) for p in lyr.source().split("|")[1:])
        stem = parts["layername"] + (f"_{parts['geometrytype'].lower()}" if "geometrytype" in parts else "")
        other = QgsVectorLayer(lyr.source(), "sld", "ogr")
        msg, ok = other.loadSldStyle(str(pkg / "styles" / f"{stem}.sld"))
        report["sld"][lyr.id()] = {"ok": bool(ok), "message": msg, "renderer": other.renderer().type(),
                                   "rules": len(other.renderer().rootRule().descendants())
                                   if other.renderer().type() == "RuleRenderer" else 0}
    print(json.dumps(report, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22 may crash while tearing down under offscreen Qt; the report is out


def main_gpkg(path, png_dir):
    app = QgsApplication([], False)
    app.initQgis()
    probe = QgsVectorLayer(str(path), "probe", "ogr")
    names = [s.split(probe.dataProvider().sublayerSeparator())[1] for s in probe.dataProvider().subLayers()]
    layers = [QgsVectorLayer(f"{path}|layername={n}", n, "ogr") for n in names if n != "layer_styles"]
    report = {"layers": {lyr.name(): describe(lyr) for lyr in layers}}
    drawn = [lyr for lyr in layers if lyr.isValid() and lyr.featureCount()]
    extent = QgsRectangle(drawn[0].extent())
    for lyr in drawn[1:]:
        extent.combineExtentWith(lyr.extent())
    extent.scale(1.05)
    report["png"] = render(drawn, extent, drawn[0].crs(), Path(png_dir) / "gpkg.png")
    print(json.dumps(report, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    if sys.argv[1] == "--gpkg":
        main_gpkg(Path(sys.argv[2]).resolve(), sys.argv[3])
    else:
        main(Path(sys.argv[1]).resolve(), sys.argv[2])
