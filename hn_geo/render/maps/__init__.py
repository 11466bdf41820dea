"""Interactive maps: the layers they are given, as one self-contained HTML file.

Modules (formerly ``render/maps.py`` and ``render/mapstyle.py``):

=================  ==========================================================================
``page``           :func:`make_map`, :func:`result_map`, :func:`overview_map`, :func:`save_map`,
                   :func:`map_html`: the page with its tools, legends and caption
``layers``         :class:`LayerSpec` (a layer with its vocabulary scope and codes), popups,
                   graduated points, search entries, drawing order
``styles``         :class:`LayerStyle`; colouring by codes (status, water class, control-unit
                   type, project status), categories and colour ramps
``registry``       the style of each named layer (:data:`STYLES`, :func:`register_style`,
                   :func:`style_for`), graduated point classes
``legends``        legend HTML
``values``         popup values: presented words, short numbers, ISO dates
``geometry``       zoom, half-pixel simplification, coordinate decimals
``basemaps``       none / OpenStreetMap / Tianditu / AMap tile layers
``elements``       the Leaflet pieces (``L.hnGeo.*`` of ``hn_geo/assets/hn_geo_map.js``)
=================  ==========================================================================

Maps load no data themselves: :mod:`hn_geo.workflows.maps` reads the catalog layers from
the run's inputs and passes them in. Every word (layer titles, popups, legends, tools) is
the vocabulary's, in the map's language; every status colour comes from the vocabulary's
one colour table (:mod:`hn_geo.render.palette`).

Example
-------
>>> from hn_geo.render import maps
>>> m = maps.make_map({"towns": towns, "sections": sections}, color_by={"towns": "target_basic"})
>>> maps.save_map(m, "maps/towns.html")  # doctest: +SKIP
"""
from hn_geo.render.maps.basemaps import BASEMAPS, basemap_layers  # noqa: F401
from hn_geo.render.maps.geometry import fit_zoom, pixel_size_m, scale_params, simplify_for_map  # noqa: F401
from hn_geo.render.maps.layers import MARKER_PANE, LayerSpec  # noqa: F401
from hn_geo.render.maps.page import (  # noqa: F401
    HIDDEN_ON_OVERVIEW,
    make_map,
    map_html,
    overview_map,
    result_map,
    result_specs,
    save_map,
)
from hn_geo.render.maps.raster import RasterOverlay  # noqa: F401  (registers the roof_segments style)
from hn_geo.render.maps.registry import STYLES, register_style, style_for  # noqa: F401
