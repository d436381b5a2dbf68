/* The campaign's progress map: the campaign's unit grids coloured by coverage (not started, in progress, done,
   overdue) drawn on a canvas (4226 grids stay fast). The polygons are the analysis map's lean GeoJSON, fetched once
   and kept by the browser (ETag); the states are a compact JSON ({code: [state, topics done, findings]}) fetched
   apart and again every 30 s, so only ~90 kB moves per refresh. */
(function () {
  "use strict";

  var COLOURS = ["#cbd5e1", "#facc15", "#16a34a", "#dc2626"];  /* not started, in progress, done, overdue */

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function start(el) {
    var texts = JSON.parse(el.dataset.texts), info = document.getElementById("campaign-grid-info");
    var map = L.map(el, { zoomSnap: 0.5, preferCanvas: true }), layer = null, states = {}, shapes = null;
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }

    function style(feature) {
      var s = states[feature.properties.code];
      return { color: "#475569", weight: 0.4, fillColor: COLOURS[s ? s[0] : 0], fillOpacity: 0.8 };
    }

    function counts(found) {
      Object.keys(found.counts || {}).forEach(function (name) {
        var badge = document.querySelector('#campaign-counts [data-state="' + name + '"] b');
        if (badge) { badge.textContent = String(found.counts[name]); }
      });
    }

    function draw() {
      if (!shapes) { return; }
      if (!layer) {
        var mine = { type: "FeatureCollection", features: shapes.features.filter(function (f) {
          return Object.prototype.hasOwnProperty.call(states, f.properties.code);
        }) };
        layer = L.geoJSON(mine, { style: style, onEachFeature: function (feature, l) {
          l.on("click", function () {
            var s = states[feature.properties.code] || [0, 0, 0];
            info.textContent = texts.grid + " " + feature.properties.code + " · " + texts[found_names[s[0]]] + " · " +
              texts.topics_done + " " + s[1] + " · " + texts.findings + " " + s[2];
          });
        } }).addTo(map);
        if (mine.features.length) { map.fitBounds(layer.getBounds()); }
        el.dataset.grids = String(mine.features.length);
      } else {
        layer.setStyle(style);
      }
      el.dataset.ready = "1";
    }

    var found_names = ["not_started", "in_progress", "done", "overdue"];
    function refresh() {
      return json(el.dataset.states).then(function (found) {
        states = found.grids;
        found_names = found.states || found_names;
        counts(found);
        el.dataset.done = String((found.counts || {}).done || 0);
        draw();
      }).catch(function () { info.textContent = texts.failed; });
    }

    Promise.all([json(el.dataset.shapes).then(function (fc) { shapes = fc; }), refresh()]).then(draw);
    setInterval(refresh, 30000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("campaign-map");
    if (el && window.L) { start(el); }
  });
}());
