/*
 * hn_geo map tools for Leaflet 1.9 (no other dependency).
 *
 * L.hnGeo.Fullscreen  full-screen toggle (Fullscreen API, CSS fallback)
 * L.hnGeo.Measure     click-to-measure distance and geodesic area
 * L.hnGeo.MiniMap     overview map drawn with Leaflet itself
 * L.hnGeo.Search      search box over named features of GeoJSON layers
 * L.hnGeo.Box         a control holding static HTML (legends, captions, title)
 * L.hnGeo.Points      canvas layer for many graduated circles with popups
 * L.hnGeo.geoJson     styled GeoJSON with popup tables, tooltips and hover highlight
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
    find: function (text) {
      var q = String(text).trim().toLowerCase(), out = [];
      if (!q) return out;
      var e = this.options.entries;
      for (var i = 0; i < e.length && out.length < this.options.limit; i++) {
        if (String(e[i][0]).toLowerCase().indexOf(q) !== -1) out.push(e[i]);
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
        L.DomEvent.on(li, "click", function () { self.go(h); });
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
      this._list.innerHTML = "";
      this._input.value = entry[0];
      return target;
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
          lon = new Float64Array(n), d2r = Math.PI / 180;
      for (var i = 0; i < n; i++) {
        lon[i] = data.x0 + data.x[i] * data.scale;
        lat[i] = data.y0 + data.y[i] * data.scale;
        // EPSG:3857 pixel coordinates at zoom 0 (as L.CRS.EPSG3857.latLngToPoint(ll, 0))
        var s = Math.sin(Math.max(Math.min(lat[i], 85.0511287798), -85.0511287798) * d2r);
        px[i] = 256 * (0.5 + lon[i] / 360);
        py[i] = 256 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
      }
      this._d = data;
      this._px = px; this._py = py; this._lat = lat; this._lon = lon;
      this.count = n;
      this.drawn = 0;
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
    _radius: function (k, z) {
      var f = Math.min(1, Math.pow(2, (z - this.options.fullZoom) / 2));
      return Math.max(1, this.options.radii[k] * f);
    },
    _frame: function () {
      var map = this._map, z = map.getZoom(),
          topLeft = map.containerPointToLayerPoint([0, 0]), origin = map.getPixelOrigin();
      return { z: z, f: Math.pow(2, z), ox: origin.x + topLeft.x, oy: origin.y + topLeft.y, topLeft: topLeft };
    },
    _redraw: function () {
      if (!this._map) return;
      var map = this._map, size = map.getSize(), dpr = window.devicePixelRatio || 1,
          cv = this._canvas, fr = this._frame(), k = this._d.k, o = this.options,
          w = size.x, h = size.y;
      cv.width = w * dpr; cv.height = h * dpr;
      cv.style.width = w + "px"; cv.style.height = h + "px";
      L.DomUtil.setPosition(cv, fr.topLeft);
      var ctx = cv.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      ctx.lineWidth = 0.6;
      ctx.strokeStyle = o.stroke;
      // one mark per screen pixel and class: points hidden under an identical mark are not
      // drawn again (100,000 points at city scale cover far fewer pixels)
      if (!this._seen || this._seen.length !== w * h) this._seen = new Int32Array(w * h);
      this._stamp = (this._stamp || 0) + 1;
      var seen = this._seen, drawn = 0, cls = -1, r = 0, small = false, stamp = 0, n = this.count;
      for (var i = 0; i < n; i++) {
        var c = k.charCodeAt(i) - 48;
        if (c !== cls) {
          if (cls >= 0 && !small) { ctx.fill(); if (r > 2) ctx.stroke(); }
          cls = c;
          r = this._radius(c, fr.z);
          small = r <= 2;
          stamp = this._stamp * 8 + c;
          ctx.fillStyle = o.fill[c];
          ctx.beginPath();
        }
        var x = this._px[i] * fr.f - fr.ox, y = this._py[i] * fr.f - fr.oy;
        if (x < -r || y < -r || x > w + r || y > h + r) continue;
        drawn++;
        var ix = x | 0, iy = y | 0;
        if (ix >= 0 && iy >= 0 && ix < w && iy < h) {
          var cell = iy * w + ix;
          if (seen[cell] === stamp) continue;
          seen[cell] = stamp;
        }
        if (small) {
          ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
        } else {
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 6.283185307179586);
        }
      }
      if (cls >= 0 && !small) { ctx.fill(); if (r > 2) ctx.stroke(); }
      this.drawn = drawn;
    },
    // index of the topmost point under a container point, or -1
    hit: function (cp) {
      var fr = this._frame(), k = this._d.k, best = -1, bestD = Infinity, tol = this.options.tolerance;
      for (var i = this.count - 1; i >= 0; i--) {
        var dx = this._px[i] * fr.f - fr.ox - cp.x, dy = this._py[i] * fr.f - fr.oy - cp.y;
        if (dx > 12 || dx < -12 || dy > 12 || dy < -12) continue;
        var r = this._radius(k.charCodeAt(i) - 48, fr.z) + tol, d = dx * dx + dy * dy;
        if (d <= r * r && d < bestD) { best = i; bestD = d; }
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
