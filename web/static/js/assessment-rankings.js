/* The rankings page (考评排名): the table sorted by a click on its heading, the scheme and period selectors
   applied at once, and the Leaflet map of the round's objects from GET /api/v1/assessment/map — compounds' polygons,
   other objects' points — coloured by their light. No inline scripts (CSP). */
(function () {
  "use strict";

  var COLOURS = { green: "#16a34a", yellow: "#facc15", orange: "#f97316", red: "#dc2626", grey: "#94a3b8" };

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, column) {
      th.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending", numeric = th.dataset.type === "number";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        function value(row) {
          var cell = row.cells[column], raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
          return numeric ? (raw === "" ? null : Number(raw)) : raw.trim();
        }
        rows.sort(function (a, b) {
          var x = value(a), y = value(b);
          if (x === null || y === null) { return x === y ? 0 : (x === null ? 1 : -1); }  /* blanks last */
          var order = numeric ? x - y : String(x).localeCompare(String(y), "zh");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  /* The popup as DOM nodes with textContent: a Leaflet popup given a string inserts it as HTML, and an object's
     name comes from the registry file (never markup). */
  function popup(p, texts) {
    var box = document.createElement("div"), title = document.createElement("strong"),
        line = document.createElement("div");
    box.className = "assessment-popup";
    title.textContent = p.name + " (" + p.code + ")";
    line.textContent = p.score === null ? texts.not_inspected : (texts.score + " " + p.score);
    box.appendChild(title);
    box.appendChild(line);
    return box;
  }

  function showMap(el) {
    var texts = JSON.parse(el.dataset.texts || "{}");
    /* canvas, not one SVG node per object: a city has thousands of objects */
    var map = L.map(el, { zoomSnap: 0.5, preferCanvas: true });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    fetch(el.dataset.api, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          style: function (f) {
            return { color: "#334155", weight: 1, fillColor: COLOURS[f.properties.light], fillOpacity: 0.75 };
          },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { radius: 6, color: "#334155", weight: 1,
                                            fillColor: COLOURS[f.properties.light], fillOpacity: 0.9 });
          },
          onEachFeature: function (f, l) {
            l.bindPopup(function () { return popup(f.properties, texts); });
          }
        }).addTo(map);
        if (collection.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 16 }); }
        else { map.setView([0, 0], 2); }
        el.dataset.features = String(collection.features.length);
        Object.keys(collection.lights || {}).forEach(function (k) { el.dataset["light_" + k] = collection.lights[k]; });
        el.dataset.ready = "1";
      })
      .catch(function () { el.textContent = texts.failed || "failed"; el.dataset.ready = "error"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("ranking-table");
    if (table) { sortable(table); }
    var filters = document.getElementById("ranking-filters");
    if (filters) {
      document.getElementById("ranking-period").addEventListener("change", function () { filters.submit(); });
      document.getElementById("ranking-scheme").addEventListener("change", function () {
        document.getElementById("ranking-period").value = "";  /* another scheme: its newest round */
        filters.submit();
      });
    }
    var el = document.getElementById("assessment-map");
    if (el && window.L && el.dataset.api) { showMap(el); }
  });
}());
