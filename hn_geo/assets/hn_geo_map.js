/*
 * hn_geo map tools for Leaflet 1.9 (no other dependency).
 *
 * L.hnGeo.Fullscreen  full-screen toggle (Fullscreen API, CSS fallback)
 * L.hnGeo.Measure     click-to-measure distance and geodesic area
 * L.hnGeo.MiniMap     overview map drawn with Leaflet itself
 * L.hnGeo.Search      search box over named features of GeoJSON layers
 * L.hnGeo.Box         a control holding static HTML (legends, captions, title)
 * L.hnGeo.Points      canvas layer for many graduated circles with popups (grid-indexed)
 * L.hnGeo.geoJson     styled GeoJSON with popup tables, tooltips and hover highlight
 * L.hnGeo.Scale       metric scale bar
 * L.hnGeo.ZOrder      fixed drawing order of the layers, whatever is ticked when
 * L.hnGeo.Labels      name labels of towns, rivers, parks from a zoom on
 * L.hnGeo.TileNotice  a note when basemap tiles cannot be loaded (no network)
 *
 * Part of hn_geo, MIT licence (see LICENSE in this folder).
 */
(function (L) {
  "use strict";
  var HN = (L.hnGeo = {});

  var ICONS = {
    full: '<svg viewBox="0 0 16 16" width="16" height="16"><path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" stroke-width="2"/></svg>',
    exit: '<svg viewBox="0 0 16 16" width="16" height="16"><path d="M6 1v5H1M15 6h-5V1M10 15v-5h5M1 10h5v5" fill="none" stroke="#333" stroke-width="2"/></svg>',
    ruler: '<svg viewBox="0 0 16 16" width="16" height="16"><path d="M1 11L11 1l4 4L5 15z M4 8l2 2M6 6l1.5 1.5M8 4l2 2M10 2l1.5 1.5" fill="none" stroke="#333" stroke-width="1.4"/></svg>'
  };

  function button(bar, html, title) {
    var a = L.DomUtil.create("a", "hn-button", bar);
    a.href = "#";
    a.setAttribute("role", "button");
    a.title = title;
    a.setAttribute("aria-label", title);
    a.innerHTML = html;
    return a;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  HN.escapeHtml = escapeHtml;

  /* ------------------------------------------------------------ full screen */
  HN.Fullscreen = L.Control.extend({
    options: { position: "topleft", title: "Full screen", titleExit: "Exit full screen" },
    onAdd: function (map) {
      var bar = L.DomUtil.create("div", "leaflet-bar hn-fullscreen");
      this._a = button(bar, ICONS.full, this.options.title);
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(this._a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        this.toggle();
      }, this);
      L.DomEvent.on(document, "fullscreenchange", this._changed, this);
      return bar;
    },
    onRemove: function () {
      L.DomEvent.off(document, "fullscreenchange", this._changed, this);
    },
    isFullscreen: function () {
      var c = this._map.getContainer();
      return document.fullscreenElement === c || L.DomUtil.hasClass(c, "hn-pseudo-fullscreen");
    },
    toggle: function () {
      var c = this._map.getContainer(), self = this;
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else if (L.DomUtil.hasClass(c, "hn-pseudo-fullscreen")) {
        L.DomUtil.removeClass(c, "hn-pseudo-fullscreen");
        this._changed();
      } else if (c.requestFullscreen) {
        c.requestFullscreen().catch(function () {
          L.DomUtil.addClass(c, "hn-pseudo-fullscreen");
          self._changed();
        });
      } else {
        L.DomUtil.addClass(c, "hn-pseudo-fullscreen");
        this._changed();
      }
    },
    _changed: function () {
      var on = this.isFullscreen();
      this._a.innerHTML = on ? ICONS.exit : ICONS.full;
      this._a.title = on ? this.options.titleExit : this.options.title;
      this._map.invalidateSize();
    }
  });

  /* ------------------------------------------------------------ measure */
  function geodesicArea(latlngs) {
    // spherical polygon area (m2), as in Leaflet.draw's GeometryUtil
    var R = 6378137, d2r = Math.PI / 180, area = 0, n = latlngs.length;
    if (n < 3) return 0;
    for (var i = 0; i < n; i++) {
      var p1 = latlngs[i], p2 = latlngs[(i + 1) % n];
      area += (p2.lng - p1.lng) * d2r * (2 + Math.sin(p1.lat * d2r) + Math.sin(p2.lat * d2r));
    }
    return Math.abs(area * R * R / 2);
  }
  HN.geodesicArea = geodesicArea;

  HN.Measure = L.Control.extend({
    options: {
      position: "topleft",
      title: "Measure distance and area",
      hint: "Click to add points, double-click to finish, Esc to clear",
      distance: "Distance", area: "Area", color: "#d7301f"
    },
    onAdd: function (map) {
      var bar = L.DomUtil.create("div", "leaflet-bar hn-measure");
      this._a = button(bar, ICONS.ruler, this.options.title);
      this._out = L.DomUtil.create("div", "hn-measure-result", bar);
      this._out.style.display = "none";
      this._group = L.layerGroup();
      this._points = [];
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(this._a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        if (this._active) this.stop(); else this.start();
      }, this);
      return bar;
    },
    start: function () {
      var map = this._map;
      this._active = true;
      map._hnMeasuring = true;
      this._clear();
      this._group.addTo(map);
      L.DomUtil.addClass(map.getContainer(), "hn-measuring");
      L.DomUtil.addClass(this._a, "hn-active");
      this._dblZoom = map.doubleClickZoom.enabled();
      map.doubleClickZoom.disable();
      // a DOM listener (capture phase): layers with popups stop Leaflet's "click" reaching the map
      this._onDom = this._onDom || L.bind(function (ev) {
        var t = ev.target;
        if (t && t.closest && t.closest(".leaflet-control, .leaflet-popup")) return;
        if (this._map.dragging && this._map.dragging.moved()) return;
        ev.stopPropagation();  // no feature popups while measuring
        this._add({ latlng: this._map.mouseEventToLatLng(ev) });
      }, this);
      map.getContainer().addEventListener("click", this._onDom, true);
      map.on("dblclick", this._finish, this);
      map.on("popupopen", this._noPopup, this);
      L.DomEvent.on(document, "keydown", this._key, this);
      this._show(this.options.hint);
    },
    stop: function () {
      var map = this._map;
      this._active = false;
      map._hnMeasuring = false;
      L.DomUtil.removeClass(map.getContainer(), "hn-measuring");
      L.DomUtil.removeClass(this._a, "hn-active");
      if (this._dblZoom) map.doubleClickZoom.enable();
      map.getContainer().removeEventListener("click", this._onDom, true);
      map.off("dblclick", this._finish, this);
      map.off("popupopen", this._noPopup, this);
      L.DomEvent.off(document, "keydown", this._key, this);
      this._clear();
      this._group.remove();
    },
    _noPopup: function () { this._map.closePopup(); },
    _key: function (e) { if (e.key === "Escape") this.stop(); },
    _clear: function () {
      this._group.clearLayers();
      this._points = [];
      this._done = false;
      this._out.style.display = "none";
    },
    _add: function (e) {
      if (this._done) this._clear();
      this._points.push(e.latlng);
      this._draw();
    },
    _finish: function () { this._done = true; this._draw(); },
    _draw: function () {
      var pts = this._points, c = this.options.color, map = this._map;
      this._group.clearLayers();
      if (pts.length >= 3) {
        L.polygon(pts, { color: c, weight: 0, fillOpacity: 0.12, interactive: false }).addTo(this._group);
      }
      L.polyline(pts, { color: c, weight: 2.5, dashArray: "6 4", interactive: false }).addTo(this._group);
      for (var i = 0; i < pts.length; i++) {
        L.circleMarker(pts[i], { radius: 3, color: c, fillColor: "#fff", fillOpacity: 1, weight: 2,
                                 interactive: false }).addTo(this._group);
      }
      var d = 0;
      for (var j = 1; j < pts.length; j++) d += map.distance(pts[j - 1], pts[j]);
      var text = this.options.distance + ": " + (d >= 1000 ? (d / 1000).toFixed(2) + " km" : d.toFixed(0) + " m");
      if (pts.length >= 3) {
        var a = geodesicArea(pts);
        text += "<br>" + this.options.area + ": " +
          (a >= 1e6 ? (a / 1e6).toFixed(3) + " km²" : a.toFixed(0) + " m²") +
          " (" + (a / 666.667).toFixed(1) + " 亩)";
      }
      this._show(text);
      this.distance = d;
      this.area = pts.length >= 3 ? geodesicArea(pts) : 0;
    },
    _show: function (html) {
      this._out.innerHTML = html;
      this._out.style.display = "block";
    }
  });

  /* ------------------------------------------------------------ mini map */
  HN.MiniMap = L.Control.extend({
    options: {
      position: "bottomright", width: 170, height: 140, zoomOffset: -4,
      data: null, style: { color: "#555", weight: 1, fill: true, fillColor: "#ccc", fillOpacity: 0.5 },
      tiles: null, rectStyle: { color: "#d7301f", weight: 1.5, fillOpacity: 0.08 }
    },
    onAdd: function () {
      var c = L.DomUtil.create("div", "leaflet-bar hn-minimap");
      c.style.width = this.options.width + "px";
      c.style.height = this.options.height + "px";
      L.DomEvent.disableClickPropagation(c);
      L.DomEvent.disableScrollPropagation(c);
      return c;
    },
    addTo: function (map) {
      L.Control.prototype.addTo.call(this, map);
      var o = this.options;
      var mini = (this._mini = L.map(this._container, {
        attributionControl: false, zoomControl: false, dragging: false, scrollWheelZoom: false,
        doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false,
        zoomSnap: 0
      }));
      // a view first, so layers and their renderer are added in order
      mini.setView(map._loaded ? map.getCenter() : [0, 0], map._loaded ? Math.max(0, map.getZoom() + o.zoomOffset) : 0,
                   { animate: false });
      if (o.tiles) L.tileLayer(o.tiles.url, o.tiles.options || {}).addTo(mini);
      if (o.data) {
        var outline = L.geoJSON(o.data, { style: o.style, interactive: false }).addTo(mini);
        this._dataBounds = outline.getBounds();
      }
      this._rect = L.rectangle([[0, 0], [0, 0]], L.extend({ interactive: false }, o.rectStyle)).addTo(mini);
      mini.on("click", function (e) { map.panTo(e.latlng); });
      map.on("moveend zoomend resize", this._sync, this);
      if (map._loaded) this._sync(); else map.whenReady(this._sync, this);
      return this;
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize", this._sync, this);
      if (this._mini) this._mini.remove();
    },
    _sync: function () {
      var map = this._map;
      var mini = this._mini, z = map.getZoom() + this.options.zoomOffset;
      mini.invalidateSize();
      if (this._dataBounds && this._dataBounds.isValid()) {
        // never zoomed out further than needed to show the whole outline
        z = Math.max(z, Math.min(mini.getBoundsZoom(this._dataBounds), map.getZoom() - 1));
      }
      mini.setView(map.getCenter(), Math.max(0, z), { animate: false });
      this._rect.setBounds(map.getBounds());
    }
  });

  /* ------------------------------------------------------------ search */
  HN.Search = L.Control.extend({
    // entries: [[text shown, layer variable name, feature index]]
    options: { position: "topright", placeholder: "Search", notFound: "No match", entries: [], maxZoom: 15, limit: 12 },
    onAdd: function (map) {
      var c = L.DomUtil.create("div", "leaflet-bar hn-search");
      var input = (this._input = L.DomUtil.create("input", "hn-search-input", c));
      input.type = "search";
      input.placeholder = this.options.placeholder;
      input.setAttribute("aria-label", this.options.placeholder);
      this._list = L.DomUtil.create("ul", "hn-search-list", c);
      L.DomEvent.disableClickPropagation(c);
      L.DomEvent.disableScrollPropagation(c);
      L.DomEvent.on(input, "input", this._update, this);
      L.DomEvent.on(input, "keydown", function (e) {
        if (e.key === "Enter") {
          var hits = this.find(input.value);
          if (hits.length) this.go(hits[0]);
        } else if (e.key === "Escape") {
          input.value = "";
          this._update();
        }
      }, this);
      return c;
    },
    // entries match on their text and on an alias (the other language's name, e.g. name_en)
    find: function (text) {
      var q = String(text).trim().toLowerCase(), out = [];
      if (!q) return out;
      var e = this.options.entries;
      for (var i = 0; i < e.length && out.length < this.options.limit; i++) {
        var hay = String(e[i][0]) + (e[i][3] ? " " + e[i][3] : "");
        if (hay.toLowerCase().indexOf(q) !== -1) out.push(e[i]);
      }
      return out;
    },
    _update: function () {
      var hits = this.find(this._input.value), ul = this._list, self = this;
      ul.innerHTML = "";
      if (!this._input.value.trim()) return;
      if (!hits.length) {
        L.DomUtil.create("li", "hn-search-none", ul).textContent = this.options.notFound;
        return;
      }
      hits.forEach(function (h) {
        var li = L.DomUtil.create("li", "", ul);
        li.textContent = h[0];
        // stop the click here: the list is emptied by go(), and a click whose target has left
        // the page is no longer known to come from the control -- the map would take it as a
        // click on the map and close the popup go() has just opened
        L.DomEvent.on(li, "click", function (ev) { L.DomEvent.stop(ev); self.go(h); });
      });
    },
    go: function (entry) {
      var map = this._map, group = window[entry[1]], target = null;
      if (!group) return null;
      if (!map.hasLayer(group)) map.addLayer(group);
      group.eachLayer(function (l) {
        if (l.feature && l.feature.properties && l.feature.properties._i === entry[2]) target = l;
      });
      if (!target) return null;
      var at;
      if (target.getBounds) {
        map.fitBounds(target.getBounds(), { maxZoom: this.options.maxZoom, animate: false });
        at = target.getBounds().getCenter();
      } else {
        at = target.getLatLng();
        map.setView(at, Math.max(map.getZoom(), this.options.maxZoom - 1), { animate: false });
      }
      target.fire("click", { latlng: at }, true);
      this._highlight(target);
      this._list.innerHTML = "";
      this._input.value = entry[0];
      return target;
    },
    // the found feature stays outlined while its popup is open
    _highlight: function (target) {
      var map = this._map;
      this._unhighlight();
      if (!target.setStyle) return;
      var base = L.extend({}, target.options);
      target.setStyle({ color: "#00a2ff", weight: (base.weight || 1) + 3, opacity: 1 });
      if (target.bringToFront) target.bringToFront();
      this._lit = { layer: target, style: { color: base.color, weight: base.weight, opacity: base.opacity } };
      map.once("popupclose", this._unhighlight, this);
    },
    _unhighlight: function () {
      if (this._lit) { this._lit.layer.setStyle(this._lit.style); this._lit = null; this._map.fire("hnzorder"); }
    }
  });

  /* ------------------------------------------------------------ styled features */
  // popup columns: [{l: label, v: [text]} | {l: label, c: [code], d: [text]}]
  function cellText(col, i) { return col.c ? col.d[col.c[i]] : col.v[i]; }
  function popupTable(title, cols, i) {
    var rows = [];
    for (var j = 0; j < cols.length; j++) {
      var v = cellText(cols[j], i);
      if (v === null || v === undefined || v === "") continue;
      rows.push("<tr><th>" + escapeHtml(cols[j].l) + "</th><td>" + escapeHtml(v) + "</td></tr>");
    }
    var head = title ? "<div class='hn-popup-title'>" + escapeHtml(title) + "</div>" : "";
    return head + "<table class='hn-popup'>" + rows.join("") + "</table>";
  }
  HN.popupTable = popupTable;

  /*
   * data: {fc: FeatureCollection whose properties are {_i: row, _s: style index}, cols: [...]}
   * o: {styles: [...], title, tooltip (column index), markerPane}
   */
  HN.geoJson = function (data, o) {
    var styles = o.styles, cols = data.cols;
    function style(f) { return styles[f.properties._s]; }
    if (!HN._markerRenderers) HN._markerRenderers = {};
    var layer = L.geoJSON(data.fc, {
      style: style,
      pointToLayer: function (f, ll) {
        // SVG circles in a pane above the canvas: only the circles catch clicks
        var r = HN._markerRenderers[o.markerPane] ||
                (HN._markerRenderers[o.markerPane] = L.svg({ pane: o.markerPane }));
        return L.circleMarker(ll, L.extend({ pane: o.markerPane, renderer: r }, style(f)));
      },
      onEachFeature: function (f, l) {
        l.on("mouseover", function (e) {
          if (e.target.setStyle) e.target.setStyle({ weight: (style(f).weight || 1) + 2 });
        });
        l.on("mouseout", function (e) { if (e.target.setStyle) e.target.setStyle(style(f)); });
      }
    });
    layer.cols = cols;
    if (cols.length) {
      layer.bindPopup(function (l) { return popupTable(o.title, cols, l.feature.properties._i); },
                      { maxWidth: 380 });
    }
    if (o.tooltip !== null && o.tooltip !== undefined) {
      layer.bindTooltip(function (l) {
        return escapeHtml(cellText(cols[o.tooltip], l.feature.properties._i) || "");
      }, { sticky: true });
    }
    return layer;
  };

  /* ------------------------------------------------------------ static html box */
  HN.Box = L.Control.extend({
    options: { position: "bottomleft", html: "", className: "hn-box" },
    onAdd: function () {
      var c = L.DomUtil.create("div", "leaflet-control " + this.options.className);
      c.innerHTML = this.options.html;
      L.DomEvent.disableClickPropagation(c);
      L.DomEvent.disableScrollPropagation(c);
      return c;
    }
  });

  /* ------------------------------------------------------------ legends that follow their layer */
  HN.Legend = L.Control.extend({
    // legends: [[layer variable name, legend html]]; shown only while the layer is on the map
    options: { position: "bottomright", legends: [] },
    onAdd: function (map) {
      var c = L.DomUtil.create("div", "leaflet-control hn-box hn-legends");
      this._blocks = this.options.legends.map(function (l) {
        var d = L.DomUtil.create("div", "hn-legend-block", c);
        d.innerHTML = l[1];
        d.setAttribute("data-layer", l[0]);
        return d;
      });
      L.DomEvent.disableClickPropagation(c);
      L.DomEvent.disableScrollPropagation(c);
      map.on("layeradd layerremove", this._sync, this);
      var self = this;
      setTimeout(function () { self._sync(); }, 0);
      return c;
    },
    onRemove: function (map) { map.off("layeradd layerremove", this._sync, this); },
    _sync: function () {
      var map = this._map, any = false;
      if (!map) return;
      this._blocks.forEach(function (d) {
        var layer = window[d.getAttribute("data-layer")];
        var on = !layer || map.hasLayer(layer);
        d.style.display = on ? "" : "none";
        any = any || on;
      });
      this._container.style.display = any ? "" : "none";
    }
  });

  /* ------------------------------------------------------------ metric scale bar */
  HN.Scale = L.Control.Scale.extend({ options: { position: "bottomleft", metric: true, imperial: false } });

  /* ------------------------------------------------------------ fixed drawing order */
  // layers: variable names in drawing order (polygons, lines, points; context under results).
  // Leaflet draws a layer added later on top; whenever a layer is (re)added, put them all
  // back in this order, so ticking a layer never hides the ones meant to be above it.
  HN.ZOrder = L.Control.extend({
    options: { position: "topright", layers: [] },
    onAdd: function (map) {
      this._c = L.DomUtil.create("div", "hn-zorder");
      this._c.style.display = "none";
      map.on("layeradd hnzorder", this._queue, this);
      return this._c;
    },
    onRemove: function (map) { map.off("layeradd hnzorder", this._queue, this); },
    _queue: function (e) {
      if (this._pending) return;
      if (e && e.type === "layeradd" && this.options.layers.every(function (v) { return window[v] !== e.layer; })) return;
      this._pending = true;
      var self = this;
      L.Util.requestAnimFrame(function () { self._pending = false; self.apply(); });
    },
    apply: function () {
      var map = this._map;
      this.options.layers.forEach(function (v) {
        var l = window[v];
        if (l && map.hasLayer(l) && l.bringToFront) l.bringToFront();
      });
    }
  });

  /* ------------------------------------------------------------ name labels */
  // groups: [[layer variable, min zoom, [[lat, lon, text], ...], layer name]]; a group shows while its
  // layer is on the map and the zoom is at least its min zoom. Labels take no clicks.
  HN.Labels = L.Control.extend({
    options: { position: "topright", groups: [] },
    onAdd: function (map) {
      var pane = map.getPane("hnLabels") || map.createPane("hnLabels");
      pane.style.zIndex = 640;
      pane.style.pointerEvents = "none";
      this._groups = this.options.groups.map(function (g) {
        var lg = L.layerGroup();
        g[2].forEach(function (it) {
          L.marker([it[0], it[1]], {
            pane: "hnLabels", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "hn-label hn-label-" + (g[3] || "layer"), html: escapeHtml(it[2]), iconSize: null })
          }).addTo(lg);
        });
        return { v: g[0], z: g[1], layer: lg };
      });
      this._c = L.DomUtil.create("div", "hn-labels-control");
      this._c.style.display = "none";
      map.on("zoomend layeradd layerremove", this._sync, this);
      var self = this;
      setTimeout(function () { self._sync(); }, 0);
      return this._c;
    },
    onRemove: function (map) { map.off("zoomend layeradd layerremove", this._sync, this); },
    _sync: function (e) {
      var map = this._map;
      if (!map || (e && (e.type === "layeradd" || e.type === "layerremove") && e.layer instanceof L.Marker)) return;
      this._groups.forEach(function (g) {
        var on = window[g.v] && map.hasLayer(window[g.v]) && map.getZoom() >= g.z;
        if (on && !map.hasLayer(g.layer)) map.addLayer(g.layer);
        if (!on && map.hasLayer(g.layer)) map.removeLayer(g.layer);
      });
    },
    shown: function () {
      var map = this._map;
      return this._groups.filter(function (g) { return map.hasLayer(g.layer); }).map(function (g) { return g.v; });
    }
  });

  /* ------------------------------------------------------------ basemap tiles that do not load */
  HN.TileNotice = L.Control.extend({
    options: { position: "bottomleft", text: "" },
    onAdd: function (map) {
      var c = L.DomUtil.create("div", "leaflet-control hn-box hn-caption hn-tile-notice");
      c.textContent = this.options.text;
      c.style.display = "none";
      this._c = c;
      var self = this, watch = function (l) { if (l instanceof L.TileLayer) l.on("tileerror", self._show, self); };
      map.eachLayer(watch);
      map.on("layeradd", function (e) { watch(e.layer); });
      return c;
    },
    _show: function () { this._c.style.display = ""; }
  });

  /* ------------------------------------------------------------ many points on a canvas */
  /*
   * data = {n, x0, y0, scale, x: [...int], y: [...int], k: "0120..." (class per point, sorted
   *         ascending so big circles are drawn last), cols: [{l: label, v: [...]} |
   *         {l: label, c: [...codes], d: [...dictionary]}]}
   * options: radii [px per class at fullZoom], fill [colour per class], stroke, fullZoom
   */
  HN.Points = L.Layer.extend({
    options: { radii: [2, 3, 4, 6, 8], fill: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
               stroke: "#444", fullZoom: 15, tolerance: 3, maxWidth: 320, pane: "hnPointsPane",
               title: "" },
    initialize: function (data, options) {
      L.setOptions(this, options);
      var n = data.n, px = new Float64Array(n), py = new Float64Array(n), lat = new Float64Array(n),
          lon = new Float64Array(n), cls = new Uint8Array(n), d2r = Math.PI / 180;
      for (var i = 0; i < n; i++) {
        lon[i] = data.x0 + data.x[i] * data.scale;
        lat[i] = data.y0 + data.y[i] * data.scale;
        // EPSG:3857 pixel coordinates at zoom 0 (as L.CRS.EPSG3857.latLngToPoint(ll, 0))
        var s = Math.sin(Math.max(Math.min(lat[i], 85.0511287798), -85.0511287798) * d2r);
        px[i] = 256 * (0.5 + lon[i] / 360);
        py[i] = 256 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
        cls[i] = data.k.charCodeAt(i) - 48;
      }
      this._d = data;
      this._px = px; this._py = py; this._lat = lat; this._lon = lon; this._cls = cls;
      this.count = n;
      this.drawn = 0;
      this._index();
    },
    // packed grid index over zoom-0 pixels: point ids sorted by cell, ~16 points a cell
    _index: function () {
      var n = this.count, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, i;
      for (i = 0; i < n; i++) {
        if (this._px[i] < x0) x0 = this._px[i]; if (this._px[i] > x1) x1 = this._px[i];
        if (this._py[i] < y0) y0 = this._py[i]; if (this._py[i] > y1) y1 = this._py[i];
      }
      if (!n) { x0 = y0 = 0; x1 = y1 = 1; }
      var side = Math.max(1, Math.ceil(Math.sqrt(n / 16))), cw = Math.max((x1 - x0) / side, (y1 - y0) / side, 1e-9);
      var gx = Math.ceil((x1 - x0) / cw) + 1, gy = Math.ceil((y1 - y0) / cw) + 1;
      var cellOf = new Uint32Array(n), start = new Uint32Array(gx * gy + 1);
      for (i = 0; i < n; i++) {
        var c = Math.floor((this._px[i] - x0) / cw) + gx * Math.floor((this._py[i] - y0) / cw);
        cellOf[i] = c; start[c + 1]++;
      }
      for (c = 0; c < gx * gy; c++) start[c + 1] += start[c];
      var fill = start.slice(0, gx * gy), items = new Uint32Array(n);
      for (i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
      this._grid = { x0: x0, y0: y0, cw: cw, gx: gx, gy: gy, start: start, items: items };
    },
    onAdd: function (map) {
      var pane = map.getPane(this.options.pane);
      if (!pane) {
        pane = map.createPane(this.options.pane);
        pane.style.zIndex = 450;
        pane.style.pointerEvents = "none";
      }
      this._canvas = L.DomUtil.create("canvas", "leaflet-zoom-hide hn-points", pane);
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      this._onClick = L.bind(this._click, this);
      this._onMove = L.bind(this._hover, this);
      map.getContainer().addEventListener("click", this._onClick, true);
      map.getContainer().addEventListener("mousemove", this._onMove);
      this._redraw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.getContainer().removeEventListener("click", this._onClick, true);
      map.getContainer().removeEventListener("mousemove", this._onMove);
      L.DomUtil.remove(this._canvas);
      this.drawn = 0;
    },
    bringToFront: function () { return this; },
    _radius: function (k, z) {
      var f = Math.min(1, Math.pow(2, (z - this.options.fullZoom) / 2));
      return Math.max(1, this.options.radii[k] * f);
    },
    _frame: function () {
      var map = this._map, z = map.getZoom(),
          topLeft = map.containerPointToLayerPoint([0, 0]), origin = map.getPixelOrigin();
      return { z: z, f: Math.pow(2, z), ox: origin.x + topLeft.x, oy: origin.y + topLeft.y, topLeft: topLeft };
    },
    // one stamp per class at this zoom: pixel offsets and their colour (fill, or stroke ring)
    _stamps: function (z, dpr) {
      var key = z + ":" + dpr;
      if (this._stampKey === key) return this._stampCache;
      var o = this.options, out = [];
      function abgr(hex) {
        var v = parseInt(hex.slice(1), 16);
        return ((255 << 24) | ((v & 255) << 16) | (((v >> 8) & 255) << 8) | ((v >> 16) & 255)) >>> 0;
      }
      var stroke = abgr(o.stroke);
      for (var k = 0; k < o.radii.length; k++) {
        var r = this._radius(k, z) * dpr, R = Math.ceil(r), dx = [], dy = [], col = [], fill = abgr(o.fill[k]);
        for (var y = -R; y <= R; y++) {
          for (var x = -R; x <= R; x++) {
            var d = Math.sqrt(x * x + y * y);
            if (d > r + 0.5) continue;
            dx.push(x); dy.push(y);
            col.push(r > 2 * dpr && d > r - 0.6 * dpr ? stroke : fill);
          }
        }
        out.push({ dx: Int16Array.from(dx), dy: Int16Array.from(dy), c: Uint32Array.from(col), r: r });
      }
      this._stampKey = key; this._stampCache = out;
      return out;
    },
    // points are stamped into one image (smallest classes first, so big sources stay on top):
    // a million points redraw in a few tens of milliseconds at any zoom
    _redraw: function () {
      if (!this._map) return;
      var map = this._map, size = map.getSize(), dpr = window.devicePixelRatio || 1,
          cv = this._canvas, fr = this._frame(), w = Math.round(size.x * dpr), h = Math.round(size.y * dpr);
      cv.width = w; cv.height = h;
      cv.style.width = size.x + "px"; cv.style.height = size.y + "px";
      L.DomUtil.setPosition(cv, fr.topLeft);
      var ctx = cv.getContext("2d"), img = ctx.createImageData(w, h), buf = new Uint32Array(img.data.buffer);
      var stamps = this._stamps(fr.z, dpr), n = this.count, cls = this._cls, drawn = 0;
      var kx = fr.f * dpr, ox = fr.ox * dpr, oy = fr.oy * dpr;
      for (var i = 0; i < n; i++) {
        var st = stamps[cls[i]], x = Math.round(this._px[i] * kx - ox), y = Math.round(this._py[i] * kx - oy);
        if (x < -st.r || y < -st.r || x > w + st.r || y > h + st.r) continue;
        drawn++;
        var dx = st.dx, dy = st.dy, col = st.c, m = dx.length;
        if (x >= st.r && y >= st.r && x < w - st.r && y < h - st.r) {
          for (var j = 0; j < m; j++) buf[(y + dy[j]) * w + x + dx[j]] = col[j];
        } else {
          for (j = 0; j < m; j++) {
            var xx = x + dx[j], yy = y + dy[j];
            if (xx >= 0 && yy >= 0 && xx < w && yy < h) buf[yy * w + xx] = col[j];
          }
        }
      }
      ctx.putImageData(img, 0, 0);
      this.drawn = drawn;
    },
    // index of the topmost point under a container point, or -1 (grid-index lookup)
    hit: function (cp) {
      var fr = this._frame(), g = this._grid, tol = this.options.tolerance, best = -1, bestD = Infinity;
      var rmax = this._radius(this.options.radii.length - 1, fr.z) + tol;
      var zx = (cp.x + fr.ox) / fr.f, zy = (cp.y + fr.oy) / fr.f, rz = rmax / fr.f;
      var i0 = Math.max(0, Math.floor((zx - rz - g.x0) / g.cw)), i1 = Math.min(g.gx - 1, Math.floor((zx + rz - g.x0) / g.cw));
      var j0 = Math.max(0, Math.floor((zy - rz - g.y0) / g.cw)), j1 = Math.min(g.gy - 1, Math.floor((zy + rz - g.y0) / g.cw));
      for (var j = j0; j <= j1; j++) {
        for (var ii = i0; ii <= i1; ii++) {
          var c = ii + g.gx * j;
          for (var s = g.start[c]; s < g.start[c + 1]; s++) {
            var i = g.items[s];
            var dx = this._px[i] * fr.f - fr.ox - cp.x, dy = this._py[i] * fr.f - fr.oy - cp.y;
            var r = this._radius(this._cls[i], fr.z) + tol, d = dx * dx + dy * dy;
            // the topmost: bigger class, then later in drawing order
            if (d <= r * r && (best < 0 || this._cls[i] > this._cls[best] ||
                               (this._cls[i] === this._cls[best] && (i > best || d < bestD)))) { best = i; bestD = d; }
          }
        }
      }
      return best;
    },
    _inMapPane: function (e) {
      var t = e.target;
      return !(t && t.closest && t.closest(".leaflet-control, .leaflet-popup"));
    },
    _hover: function (e) {
      // pointer cursor over a point; at most one hit test per animation frame
      if (!this._inMapPane(e) || this._hoverQueued) return;
      this._hoverQueued = true;
      var self = this, cp = this._map.mouseEventToContainerPoint(e);
      L.Util.requestAnimFrame(function () {
        self._hoverQueued = false;
        if (!self._map) return;
        var i = self.hit(cp);
        L.DomUtil[i >= 0 ? "addClass" : "removeClass"](self._map.getContainer(), "hn-points-hover");
      });
    },
    _click: function (e) {
      var map = this._map;
      if (map._hnMeasuring || !this._inMapPane(e)) return;
      if (map.dragging && map.dragging.moved()) return;
      var i = this.hit(map.mouseEventToContainerPoint(e));
      if (i < 0) return;
      e.stopPropagation();
      this.openPopup(i);
    },
    openPopup: function (i) {
      return L.popup({ maxWidth: this.options.maxWidth })
        .setLatLng([this._lat[i], this._lon[i]])
        .setContent(this.popupHtml(i))
        .openOn(this._map);
    },
    popupHtml: function (i) { return popupTable(this.options.title, this._d.cols, i); },
    getBounds: function () {
      var b = L.latLngBounds([]);
      for (var i = 0; i < this.count; i++) b.extend([this._lat[i], this._lon[i]]);
      return b;
    }
  });
  HN.points = function (data, options) { return new HN.Points(data, options); };
})(window.L);
