"""Leaflet pieces of an hn_geo map: own assets, controls, and layers whose data go as JSON.

The JavaScript side is ``hn_geo/assets/hn_geo_map.js`` (``L.hnGeo.*``), always inlined.
Every JSON written into the page goes through :func:`hn_geo.render.escape.script_json` (no
``<``, ``>``, ``&``, U+2028/9 left), and layer names are HTML text in the layer control. Text
is put into the page as a *value* of a template (:class:`RawHtml`), never as template source:
a name such as ``{{ ... }}`` is data, not Jinja code run while the page is built.
"""
from __future__ import annotations

import folium
from branca.element import Element, MacroElement
from folium.template import Template

from hn_geo.render import escape, offline
from hn_geo.render.maps.compact import split_blobs


def js_json(obj):
    """Compact JSON safe inside a <script> element (:func:`hn_geo.render.escape.script_json`)."""
    return escape.script_json(obj)


class RawHtml(Element):
    """HTML given as text, put into the page as it is (never read as a Jinja template)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text):
        super().__init__()
        self.text = text


OWN_SCRIPTS = ("hn_geo_map.js", "hn_geo_shapes.js")
"""hn_geo's own scripts (``hn_geo/assets``), inlined in this order after Leaflet."""


class Assets(MacroElement):
    """Inlines hn_geo's own JS/CSS into the page header (after Leaflet)."""

    _template = Template("")

    def render(self, **kwargs):
        header = self.get_root().header
        header.add_child(RawHtml(offline.style_tag(offline.own_asset("hn_geo_map.css"))), name="hn_geo_css")
        for name in OWN_SCRIPTS:
            header.add_child(RawHtml(offline.script_tag(offline.own_asset(name))), name=name.replace(".", "_"))
        super().render(**kwargs)


class PlainBackground(MacroElement):
    """Light plain background for maps without a basemap."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().classList.add('hn-plain');
        {% endmacro %}
    """)


class Control(MacroElement):
    """A ``L.hnGeo.<kind>`` control (Fullscreen, Measure, MiniMap, Search, Box, Legend)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new L.hnGeo.{{ this.kind }}({{ this.options_json }})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, kind, **options):
        super().__init__()
        self._name = f"hn_{kind}"
        self.kind = kind
        self.options_json = js_json(options)


class JsonDataLayer(folium.map.Layer):
    """A layer whose data go to the page in a ``<script type="application/json">`` block.

    ``JSON.parse`` reads megabytes far faster than the browser compiles the same data
    written as a JavaScript literal, and the JSON is written compactly (no indentation,
    UTF-8 rather than ``\\u`` escapes).
    """

    js_factory = ""
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.js_factory }}(
            JSON.parse(document.getElementById("{{ this.get_name() }}_data").textContent),
            {{ this.options_json }});
        {% endmacro %}
    """)

    def __init__(self, data_json, options, name=None, show=True):
        # Leaflet's layer control shows the name as HTML: give it the name as HTML text
        super().__init__(name=None if name is None else escape.html_text(name), overlay=True, control=True,
                         show=show)
        self.data_json = escape.json_for_html(data_json)
        self.options_json = js_json(options)

    def render(self, **kwargs):
        self.get_root().html.add_child(RawHtml(
            f'<script type="application/json" id="{self.get_name()}_data">{self.data_json}</script>'),
            name=self.get_name() + "_data")
        super().render(**kwargs)


class PointsLayer(JsonDataLayer):
    """Many points as graduated circles on one canvas (``L.hnGeo.Points``).

    Data go to the page as compact columns: integer coordinates in units of
    ``10**-decimals`` degrees from the south-west corner, a class digit per point, and
    popup columns (dictionary-encoded when values repeat).
    """

    js_factory = "L.hnGeo.points"

    def __init__(self, data, options, name=None, show=True):
        super().__init__(js_json(data), options, name=name, show=show)
        self._name = "HnPoints"


class ShapesLayer(JsonDataLayer):
    """Many polygons from compact typed arrays, drawn in Leaflet's canvas (``L.hnGeo.shapes``).

    See :mod:`hn_geo.render.maps.compact` for the encoding.
    """

    js_factory = "L.hnGeo.shapes"

    def __init__(self, data, options, name=None, show=True):
        meta, self.blobs = split_blobs(data)
        super().__init__(js_json(meta), options, name=name, show=show)
        self._name = "HnShapes"
        self.options_json = js_json({**options, "bin": self.get_name() + "_bin"})

    def render(self, **kwargs):
        # base64 only (A-Z a-z 0-9 + / =): nothing in it can end the element
        self.get_root().html.add_child(RawHtml(
            f'<script type="application/octet-stream" id="{self.get_name()}_bin">{" ".join(self.blobs)}</script>'),
            name=self.get_name() + "_bin")
        super().render(**kwargs)


class FeatureLayer(JsonDataLayer):
    """Styled GeoJSON features with popups and tooltips (``L.hnGeo.geoJson``).

    Each feature carries its display values and ``_s``, an index into a table of distinct
    styles, instead of a style object of its own. Points are SVG circle markers in their
    own pane above the canvas layers.
    """

    js_factory = "L.hnGeo.geoJson"

    def __init__(self, data_json, options, name=None, show=True):
        super().__init__(data_json, options, name=name, show=show)
        self._name = "HnFeatures"
