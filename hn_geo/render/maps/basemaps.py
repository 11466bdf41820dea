"""Basemaps: none (offline, the default), OpenStreetMap, Tianditu (天地图), AMap (高德).

Tiles are loaded by the browser when the map is opened; 'none' needs no network. AMap
tiles are GCJ-02: :func:`hn_geo.render.maps.make_map` shifts the data to sit on them.
"""
from __future__ import annotations

import os

import xyzservices.providers as xyz

from hn_geo.core.errors import HnGeoError
from hn_geo.render.labels import ui, value_word

BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img", "amap", "amap-img")
GCJ02_BASEMAPS = ("amap", "amap-img")
TIANDITU = {"tianditu-vec": ("vec", "cva"), "tianditu-img": ("img", "cia")}
TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
TIANDITU_ATTR = ('&copy; <a href="https://www.tianditu.gov.cn/">天地图</a> '
                 '国家地理信息公共服务平台 审图号：GS(2024)0568号')


def basemap_layers(basemap, *, tianditu_key=None, lang="zh"):
    """Tile layers of a basemap as ``(url, options)`` pairs (empty for 'none').

    Parameters
    ----------
    basemap : {'none', 'osm', 'tianditu-vec', 'tianditu-img', 'amap', 'amap-img'}
        OpenStreetMap and Gaode/AMap come from ``xyzservices``; Tianditu (CGCS2000, drawn
        without shift) needs a key (``tianditu_key`` or the ``TIANDITU_KEY`` environment
        variable).
    """
    if basemap not in BASEMAPS:
        raise HnGeoError(code="render.unknown_basemap", params={"basemap": basemap, "known": list(BASEMAPS)})
    if basemap == "none":
        return []
    if basemap == "osm":
        p = xyz.OpenStreetMap.Mapnik
        return [(p.build_url(), {"attribution": p.html_attribution, "maxZoom": p.max_zoom,
                                 "name": value_word("basemap", "osm", lang)})]
    if basemap in GCJ02_BASEMAPS:
        p = xyz.Gaode.Normal if basemap == "amap" else xyz.Gaode.Satellite
        url = p.build_url().replace("http://", "https://")
        return [(url, {"attribution": p.html_attribution + " " + ui("amap_attribution", lang),
                       "maxZoom": 18, "name": value_word("basemap", basemap, lang)})]
    key = tianditu_key or os.environ.get("TIANDITU_KEY")
    if not key:
        raise HnGeoError(code="render.tianditu_key")
    base, labels = TIANDITU[basemap]
    opts = {"attribution": TIANDITU_ATTR, "maxZoom": 18, "subdomains": "01234567"}
    return [(TIANDITU_URL.format(layer=base, key=key, s="{s}"), {**opts, "name": value_word("basemap", basemap, lang)}),
            (TIANDITU_URL.format(layer=labels, key=key, s="{s}"),
             {**opts, "name": value_word("basemap", "tianditu-labels", lang)})]
