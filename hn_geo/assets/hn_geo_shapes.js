/*
 * hn_geo: many polygons (e.g. a million roofs) in Leaflet's own canvas, from compact data.
 *
 * L.hnGeo.shapes(data, options) -> L.hnGeo.Shapes, a layer that takes part in Leaflet's
 * shared canvas renderer like any path: it is drawn in its place of the drawing order (so
 * polygons stay under lines and points whatever is ticked) and answers clicks and hovers
 * through the renderer's own hit test. Data (written by hn_geo/render/maps/compact.py):
 *
 *   n, x0, y0, q   feature count; origin and quantum (Web Mercator metres)
 *   fr, rn, d      base64(gzip(zig-zag varints)): rings per feature, vertices per ring,
 *                  x/y steps from vertex to vertex (closing vertices left out)
 *   cls            {t, b}: Uint8 colour class per feature (255: no data)
 *   cols           popup columns: {l, k: "num"|"dict"|"id"|"text", a: {t, b}, d, p, w, v}
 *
 * Options: colours (per class), stroke, title, detailZoom (below it the features are
 * drawn as a grid of screen cells holding the mean class of the roofs in them, and do not
 * catch clicks), cell (px), highlight colour, tooltip (column index or null).
 *
 * Part of hn_geo, MIT licence (see LICENSE in this folder).
 */
(function (L) {
  "use strict";
  var HN = L.hnGeo;
  var R = 6378137, HALF = Math.PI * R;

  function bytesOf(b64) {
    var s = atob(b64), n = s.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  // gzip member -> bytes, with the browser's own DecompressionStream
  function inflate(b64) {
    var raw = bytesOf(b64);
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("DecompressionStream unsupported"));
    }
    var stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buf) { return new Uint8Array(buf); });
  }
  function typedArray(spec, bytes) {
    var buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return { u8: function () { return new Uint8Array(buf); }, u16: function () { return new Uint16Array(buf); },
             i32: function () { return new Int32Array(buf); }, f32: function () { return new Float32Array(buf); }
           }[spec.t]();
  }
  function decodeTyped(spec) { return inflate(spec.b).then(function (b) { return typedArray(spec, b); }); }
  // zig-zag LEB128 varints -> Int32Array (count known or not)
  function varints(bytes, count) {
    var out = new Int32Array(count >= 0 ? count : bytes.length), n = 0, v = 0, shift = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      v += (b & 127) * Math.pow(2, shift);
      if (b & 128) { shift += 7; continue; }
      out[n++] = (v % 2) ? -(v + 1) / 2 : v / 2;
      v = 0; shift = 0;
    }
    return count >= 0 ? out : out.subarray(0, n);
  }

  // numbers shown as hn_geo.render.maps.values.format_number shows them
  // (isInt: a column of whole numbers; a float column keeps its decimals, 951.0 as 951.0)
  function formatNumber(v, plain, isInt) {
    if (v === null || v === undefined || isNaN(v)) return null;
    if (plain) return String(Math.round(v));
    var a = Math.abs(v);
    function sep(x, d) { return x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }); }
    if (isInt) return sep(v, 0);
    if (v === 0) return "0";
    if (a >= 1000) return sep(v, 0);
    if (a >= 10) return sep(v, 1);
    if (a >= 1) return v.toFixed(2);
    if (a >= 0.01) return String(Number(v.toPrecision(3)));
    return String(Number(v.toPrecision(2)));
  }
  HN.formatNumber = formatNumber;

  HN.Shapes = L.Path.extend({
    options: { colours: [], noData: "#bdbdbd", stroke: true, weight: 0.6, fill: true, title: "", detailZoom: 15, cell: 3,
               highlight: "#111111", tooltip: null, interactive: true, maxWidth: 360 },

    initialize: function (data, options) {
      L.setOptions(this, options);
      this._data = data;
      this.count = data.n;
      this.drawn = 0;
      var self = this;
      this.ready = this._decode(data).then(function () {
        self._decoded = true;
        if (self._map) self.redraw();
        return self;
      }, function (err) {
        self._failed = err;
        if (self._map) self._map.fire("hngeoerror", { error: err, layer: self });
        throw err;
      });
    },

    _decode: function (data) {
      var self = this, n = data.n, el = this.options.bin && document.getElementById(this.options.bin);
      // arrays are indexes into the page's octet-stream block of base64 blobs (or the base64 itself)
      var blobs = el ? el.textContent.trim().split(/\s+/) : [];
      function B(x) { return typeof x === "number" ? blobs[x] : x; }
      function T(spec) { return decodeTyped({ t: spec.t, b: B(spec.b) }); }
      var jobs = [inflate(B(data.fr)), inflate(B(data.rn)), inflate(B(data.d)), T(data.cls)];
      data.cols.forEach(function (c) { jobs.push(c.a ? T(c.a) : Promise.resolve(null)); });
      return Promise.all(jobs).then(function (r) {
        var fr = varints(r[0], n), rn = varints(r[1], -1), steps = varints(r[2], -1);
        self._cls = r[3];
        self._cols = data.cols.map(function (c, k) { return L.extend({}, c, { arr: r[4 + k] }); });
        var nv = steps.length / 2, X = new Int32Array(nv), Y = new Int32Array(nv), x = 0, y = 0;
        for (var i = 0; i < nv; i++) { x += steps[2 * i]; y += steps[2 * i + 1]; X[i] = x; Y[i] = y; }
        var ringStart = new Uint32Array(rn.length + 1), featRing = new Uint32Array(n + 1);
        for (var k = 0; k < rn.length; k++) ringStart[k + 1] = ringStart[k] + rn[k];
        for (var f = 0; f < n; f++) featRing[f + 1] = featRing[f] + fr[f];
        // bounding box of every feature (quantised Mercator units)
        var bb = new Int32Array(4 * n);
        for (f = 0; f < n; f++) {
          var a = ringStart[featRing[f]], b = ringStart[featRing[f + 1]];
          var x0 = 2147483647, y0 = 2147483647, x1 = -2147483647, y1 = -2147483647;
          for (var v = a; v < b; v++) {
            if (X[v] < x0) x0 = X[v]; if (X[v] > x1) x1 = X[v];
            if (Y[v] < y0) y0 = Y[v]; if (Y[v] > y1) y1 = Y[v];
          }
          bb[4 * f] = x0; bb[4 * f + 1] = y0; bb[4 * f + 2] = x1; bb[4 * f + 3] = y1;
        }
        self._X = X; self._Y = Y; self._ringStart = ringStart; self._featRing = featRing; self._bb = bb;
        self._index();
        // drawing order of the aggregate: classes ascending, so high classes end on top
        var byCls = new Uint32Array(n), counts = new Uint32Array(257);
        for (f = 0; f < n; f++) counts[self._cls[f] + 1]++;
        for (k = 1; k < 257; k++) counts[k] += counts[k - 1];
        for (f = 0; f < n; f++) byCls[counts[self._cls[f]]++] = f;
        self._byCls = byCls;
      });
    },

    // packed grid index: features by the cell of their box centre; cells of ~8 features
    _index: function () {
      var n = this.count, bb = this._bb, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, maxw = 0;
      for (var f = 0; f < n; f++) {
        var cx = (bb[4 * f] + bb[4 * f + 2]) / 2, cy = (bb[4 * f + 1] + bb[4 * f + 3]) / 2;
        if (cx < x0) x0 = cx; if (cx > x1) x1 = cx; if (cy < y0) y0 = cy; if (cy > y1) y1 = cy;
        maxw = Math.max(maxw, bb[4 * f + 2] - bb[4 * f], bb[4 * f + 3] - bb[4 * f + 1]);
      }
      if (!n) { x0 = y0 = 0; x1 = y1 = 1; }
      var side = Math.max(1, Math.ceil(Math.sqrt(n / 8))), cw = Math.max((x1 - x0) / side, (y1 - y0) / side, 1);
      var gx = Math.ceil((x1 - x0) / cw) + 1, gy = Math.ceil((y1 - y0) / cw) + 1;
      var cellOf = new Uint32Array(n), start = new Uint32Array(gx * gy + 1);
      for (f = 0; f < n; f++) {
        var c = Math.floor(((bb[4 * f] + bb[4 * f + 2]) / 2 - x0) / cw) +
                gx * Math.floor(((bb[4 * f + 1] + bb[4 * f + 3]) / 2 - y0) / cw);
        cellOf[f] = c; start[c + 1]++;
      }
      for (c = 0; c < gx * gy; c++) start[c + 1] += start[c];
      var fill = start.slice(0, gx * gy), items = new Uint32Array(n);
      for (f = 0; f < n; f++) items[fill[cellOf[f]]++] = f;
      this._grid = { x0: x0, y0: y0, cw: cw, gx: gx, gy: gy, start: start, items: items, pad: maxw / 2 };
    },

    // features whose box meets the quantised rectangle [qx0, qx1] x [qy0, qy1]
    query: function (qx0, qy0, qx1, qy1, cb) {
      var g = this._grid, bb = this._bb;
      var i0 = Math.max(0, Math.floor((qx0 - g.pad - g.x0) / g.cw)), i1 = Math.min(g.gx - 1, Math.floor((qx1 + g.pad - g.x0) / g.cw));
      var j0 = Math.max(0, Math.floor((qy0 - g.pad - g.y0) / g.cw)), j1 = Math.min(g.gy - 1, Math.floor((qy1 + g.pad - g.y0) / g.cw));
      for (var j = j0; j <= j1; j++) {
        for (var i = i0; i <= i1; i++) {
          var c = i + g.gx * j;
          for (var s = g.start[c]; s < g.start[c + 1]; s++) {
            var f = g.items[s];
            if (bb[4 * f + 2] < qx0 || bb[4 * f] > qx1 || bb[4 * f + 3] < qy0 || bb[4 * f + 1] > qy1) continue;
            cb(f);
          }
        }
      }
    },

    // quantised Mercator -> layer pixels at the current zoom, and back
    _frame: function () {
      var map = this._map, s = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin(), d = this._data;
      var k = s * 0.5 / HALF;
      return { kx: k * d.q, ox: s * 0.5 + k * d.x0 - o.x, ky: -k * d.q, oy: s * 0.5 - k * d.y0 - o.y };
    },
    _toQ: function (p, fr) { return [(p.x - fr.ox) / fr.kx, (p.y - fr.oy) / fr.ky]; },

    _project: function () {
      if (!this._map || !this._decoded) { this._pxBounds = null; return; }
      var g = this._grid, fr = this._frame();
      var a = L.point(g.x0 * fr.kx + fr.ox, g.y0 * fr.ky + fr.oy), pad = g.pad + 1;
      var b = L.point((g.x0 + g.cw * g.gx) * fr.kx + fr.ox, (g.y0 + g.cw * g.gy) * fr.ky + fr.oy);
      this._pxBounds = L.bounds(a.subtract([pad * fr.kx + 2, -pad * fr.ky + 2]), b.add([pad * fr.kx + 2, -pad * fr.ky + 2]));
    },
    _update: function () { this._agg = null; },
    _detail: function () { return this._map.getZoom() >= this.options.detailZoom; },

    _updatePath: function () {
      var r = this._renderer;
      if (!r._drawing || !this._decoded) return;
      // the renderer's redraw region is this layer's whole box (the city, at any zoom):
      // draw only what is on the canvas, or a hover at street zoom redraws every feature
      var b = r._bounds, rb = r._redrawBounds;
      if (rb) {
        if (!rb.intersects(b)) return;
        b = L.bounds(L.point(Math.max(rb.min.x, b.min.x), Math.max(rb.min.y, b.min.y)),
                     L.point(Math.min(rb.max.x, b.max.x), Math.min(rb.max.y, b.max.y)));
      }
      if (this._detail()) this._drawShapes(r._ctx, b);
      else this._drawAggregate(r._ctx, r._bounds);
    },

    _drawShapes: function (ctx, bounds) {
      var fr = this._frame(), q0 = this._toQ(bounds.min, fr), q1 = this._toQ(bounds.max, fr), o = this.options;
      var lists = [], self = this, seen = 0;
      this.query(Math.min(q0[0], q1[0]), Math.min(q0[1], q1[1]), Math.max(q0[0], q1[0]), Math.max(q0[1], q1[1]),
        function (f) { var c = self._cls[f]; (lists[c] = lists[c] || []).push(f); seen++; });
      this.drawn = seen;
      ctx.lineWidth = o.weight;
      for (var c = 0; c < lists.length; c++) {
        if (!lists[c]) continue;
        var colour = c === 255 ? o.noData : o.colours[c];
        ctx.beginPath();
        for (var m = 0; m < lists[c].length; m++) this._trace(ctx, lists[c][m], fr);
        ctx.fillStyle = colour;
        ctx.globalAlpha = o.fillOpacity === undefined ? 0.9 : o.fillOpacity;
        ctx.fill("evenodd");
        ctx.globalAlpha = 1;
        ctx.strokeStyle = colour;
        ctx.stroke();
      }
      [this._sel, this._hover].forEach(function (f) {
        if (f === undefined || f === null || f < 0) return;
        ctx.beginPath(); self._trace(ctx, f, fr);
        ctx.lineWidth = 2.5; ctx.strokeStyle = o.highlight; ctx.stroke();
      });
    },

    _trace: function (ctx, f, fr) {
      var X = this._X, Y = this._Y, rs = this._ringStart;
      for (var ring = this._featRing[f]; ring < this._featRing[f + 1]; ring++) {
        var a = rs[ring], b = rs[ring + 1];
        ctx.moveTo(X[a] * fr.kx + fr.ox, Y[a] * fr.ky + fr.oy);
        for (var v = a + 1; v < b; v++) ctx.lineTo(X[v] * fr.kx + fr.ox, Y[v] * fr.ky + fr.oy);
        ctx.closePath();
      }
    },

    // city zoom: the mean class of the features in each screen cell, drawn as one image
    _drawAggregate: function (ctx, bounds) {
      if (!this._agg) this._agg = this._aggregate(bounds);
      var a = this._agg;
      if (a.canvas) ctx.drawImage(a.canvas, a.x, a.y);
      this.drawn = a.drawn;
    },
    _aggregate: function (bounds) {
      var fr = this._frame(), cell = this.options.cell, bb = this._bb, cls = this._cls, n = this.count;
      var w = Math.ceil((bounds.max.x - bounds.min.x) / cell) + 1, h = Math.ceil((bounds.max.y - bounds.min.y) / cell) + 1;
      var sum = new Float32Array(w * h), cnt = new Uint32Array(w * h), drawn = 0;
      for (var f = 0; f < n; f++) {
        if (cls[f] === 255) continue;
        var px = ((bb[4 * f] + bb[4 * f + 2]) / 2) * fr.kx + fr.ox - bounds.min.x;
        var py = ((bb[4 * f + 1] + bb[4 * f + 3]) / 2) * fr.ky + fr.oy - bounds.min.y;
        if (px < 0 || py < 0) continue;
        var i = (px / cell) | 0, j = (py / cell) | 0;
        if (i >= w || j >= h) continue;
        sum[i + w * j] += cls[f]; cnt[i + w * j]++; drawn++;
      }
      var cv = document.createElement("canvas");
      cv.width = w * cell; cv.height = h * cell;
      var c2 = cv.getContext("2d"), img = c2.createImageData(cv.width, cv.height), px32 = new Uint32Array(img.data.buffer);
      var rgba = this.options.colours.map(function (c) {
        var v = parseInt(c.slice(1), 16);
        return (255 << 24) | ((v & 255) << 16) | (((v >> 8) & 255) << 8) | ((v >> 16) & 255);  // little-endian ABGR
      });
      for (var j2 = 0; j2 < h; j2++) {
        for (var i2 = 0; i2 < w; i2++) {
          var k = i2 + w * j2;
          if (!cnt[k]) continue;
          var colour = rgba[Math.min(rgba.length - 1, Math.round(sum[k] / cnt[k]))];
          for (var dy = 0; dy < cell; dy++) {
            var row = (j2 * cell + dy) * cv.width + i2 * cell;
            for (var dx = 0; dx < cell; dx++) px32[row + dx] = colour;
          }
        }
      }
      c2.putImageData(img, 0, 0);
      return { canvas: cv, x: bounds.min.x, y: bounds.min.y, drawn: drawn };
    },

    // Leaflet's renderer asks every interactive path whether a layer point is on it
    _containsPoint: function (p) {
      this._hit = -1;
      if (!this._decoded || !this._detail()) return false;
      var fr = this._frame(), q = this._toQ(p, fr), tol = 2 / fr.kx, self = this, best = -1, bestArea = Infinity;
      this.query(q[0] - tol, q[1] - tol, q[0] + tol, q[1] + tol, function (f) {
        if (self._inside(f, q[0], q[1]) || self._nearEdge(f, q[0], q[1], tol)) {
          var bb = self._bb, area = (bb[4 * f + 2] - bb[4 * f]) * (bb[4 * f + 3] - bb[4 * f + 1]);
          if (area < bestArea) { best = f; bestArea = area; }  // the smaller of nested features
        }
      });
      this._hit = best;
      return best >= 0;
    },
    _inside: function (f, x, y) {
      var X = this._X, Y = this._Y, rs = this._ringStart, inside = false;
      for (var ring = this._featRing[f]; ring < this._featRing[f + 1]; ring++) {
        for (var a = rs[ring], b = rs[ring + 1], i = a, j = b - 1; i < b; j = i++) {
          if (((Y[i] > y) !== (Y[j] > y)) && (x < (X[j] - X[i]) * (y - Y[i]) / (Y[j] - Y[i]) + X[i])) inside = !inside;
        }
      }
      return inside;
    },
    _nearEdge: function (f, x, y, tol) {
      var bb = this._bb;
      return x >= bb[4 * f] - tol && x <= bb[4 * f + 2] + tol && y >= bb[4 * f + 1] - tol && y <= bb[4 * f + 3] + tol &&
             (bb[4 * f + 2] - bb[4 * f] < 2 * tol || bb[4 * f + 3] - bb[4 * f + 1] < 2 * tol);
    },

    onAdd: function (map) {
      L.Path.prototype.onAdd.call(this, map);
      this.on("click", this._onClick, this);
      this.on("mousemove", this._onMove, this);
      this.on("mouseout", this._onOut, this);
      map.on("popupclose", this._onPopupClose, this);
    },
    onRemove: function (map) {
      this.off("click", this._onClick, this);
      this.off("mousemove", this._onMove, this);
      this.off("mouseout", this._onOut, this);
      map.off("popupclose", this._onPopupClose, this);
      if (this._tip) map.closeTooltip(this._tip);
      L.Path.prototype.onRemove.call(this, map);
    },
    _onClick: function (e) {
      if (this._hit < 0 || (this._map && this._map._hnMeasuring)) return;
      this.openPopup(this._hit, e.latlng);
    },
    openPopup: function (f, latlng) {
      this._sel = f;
      this._popup = L.popup({ maxWidth: this.options.maxWidth }).setLatLng(latlng || this.centre(f))
        .setContent(this.popupHtml(f)).openOn(this._map);
      this.redraw();
      return this._popup;
    },
    _onPopupClose: function (e) {
      if (e.popup === this._popup) { this._sel = null; this._popup = null; if (this._map) this.redraw(); }
    },
    _onMove: function (e) {
      if (this._hit !== this._hover) { this._hover = this._hit; this.redraw(); }
      var t = this.options.tooltip;
      if (t === null || t === undefined || this._hit < 0) return;
      this._tip = this._tip || L.tooltip({ sticky: true, direction: "auto" });
      this._tip.setContent(HN.escapeHtml(this.cell(t, this._hit) || "")).setLatLng(e.latlng);
      if (!this._map.hasLayer(this._tip)) this._tip.addTo(this._map);
    },
    _onOut: function () {
      this._hover = null;
      if (this._tip && this._map) this._map.removeLayer(this._tip);
      if (this._map) this.redraw();
    },

    // display text of column j for feature f
    cell: function (j, f) {
      var c = this._cols[j];
      if (c.k === "num") return formatNumber(c.arr[f], c.plain, c.a.t !== "f32");
      if (c.k === "dict") return c.d[c.arr[f]];
      if (c.k === "id") { var s = String(c.arr[f]); while (s.length < c.w) s = "0" + s; return c.p + s; }
      return c.v[f];
    },
    popupHtml: function (f) {
      var self = this, cols = this._cols.map(function (c, j) { return { l: c.l, v: [self.cell(j, f)] }; });
      return HN.popupTable(this.options.title, cols, 0);
    },
    centre: function (f) {
      var bb = this._bb, d = this._data;
      var x = d.x0 + d.q * (bb[4 * f] + bb[4 * f + 2]) / 2, y = d.y0 + d.q * (bb[4 * f + 1] + bb[4 * f + 3]) / 2;
      return L.CRS.EPSG3857.unproject(L.point(x, y));
    },
    getBounds: function () {
      var g = this._grid, d = this._data;
      if (!g) return L.latLngBounds([]);
      return L.latLngBounds(L.CRS.EPSG3857.unproject(L.point(d.x0 + d.q * g.x0, d.y0 + d.q * g.y0)),
                            L.CRS.EPSG3857.unproject(L.point(d.x0 + d.q * (g.x0 + g.cw * g.gx),
                                                             d.y0 + d.q * (g.y0 + g.cw * g.gy))));
    }
  });
  HN.shapes = function (data, options) { return new HN.Shapes(data, options); };
})(window.L);
