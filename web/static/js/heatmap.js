/* The heat map page: every unit grid coloured by its cases (choropleth, SVG paths), a point heat layer
   (leaflet.heat) on demand, a legend, and a grid's cases on click. The grid polygons are fetched once
   (the browser keeps them: ETag); every filter change re-queries the counts without reloading. */
(function () {
  "use strict";

  var COLOURS = ["#f8fafc", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { var e = new Error(url + ": HTTP " + r.status); e.body = body; throw e; }
        return body;
      });
    });
  }

  function params(form) {
    var out = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "" && key !== "filtered") { out.append(key, value); }
    });
    return out;
  }

  /* Class limits: 0, then five equal fifths of the largest count (the last is the largest itself). */
  function breaks(max) {
    var out = [];
    for (var i = 1; i <= 5; i++) { out.push(Math.max(1, Math.ceil(max * i / 5))); }
    return out;
  }

  function colourOf(n, limits) {
    if (!n) { return COLOURS[0]; }
    for (var i = 0; i < limits.length; i++) { if (n <= limits[i]) { return COLOURS[i + 1]; } }
    return COLOURS[5];
  }

  function legend(el, limits, texts) {
    el.textContent = "";
    var low = 0;
    for (var i = 0; i <= limits.length; i++) {
      if (i > 0 && limits[i - 1] <= low) { continue; }  /* an empty class (small counts) */
      var item = document.createElement("span"), swatch = document.createElement("span");
      swatch.className = "swatch swatch-" + i;
      item.appendChild(swatch);
      var high = i === 0 ? 0 : limits[i - 1];
      item.appendChild(document.createTextNode(i === 0 ? "0" : (low + 1 === high ? String(high) : (low + 1) + "–" + high)));
      el.appendChild(item);
      low = high;
    }
    el.appendChild(document.createTextNode(" (" + texts.cases + ")"));
  }

  function showError(form, err) {
    var box = form.querySelector(".filter-error");
    var fields = (err.body && err.body.error && err.body.error.fields) || {};
    var names = Object.keys(fields);
    box.textContent = names.length ? names.map(function (k) { return k + ": " + fields[k]; }).join("; ") : String(err.message);
    box.dataset.field = names[0] || "";
    box.hidden = false;
  }

  function gridCases(panel, el, code, query, texts) {
    var url = el.dataset.gridCases.replace("GRID", encodeURIComponent(code)) + "?" + query.toString();
    panel.textContent = "";
    var title = document.createElement("h2");
    title.textContent = texts.grid + " " + code;
    panel.appendChild(title);
    json(url).then(function (found) {
      var head = document.createElement("p");
      head.className = "help";
      head.textContent = texts.total + " " + found.total + " " + texts.cases;
      panel.appendChild(head);
      if (!found.cases.length) { head.textContent = texts.none; return; }
      var list = document.createElement("ol");
      found.cases.forEach(function (c) {
        var item = document.createElement("li"), link = document.createElement("a");
        link.href = el.dataset.case.replace("CASE", encodeURIComponent(c.case_no));
        link.textContent = c.case_no;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" " + (c.reported_at || "").slice(0, 10) + " · " + (c.subtype || "—") +
          " · " + (c.department || "—") + " · " + c.result));
        list.appendChild(item);
      });
      panel.appendChild(list);
      if (found.total > found.cases.length) {
        var more = document.createElement("p");
        more.className = "help";
        more.textContent = texts.more.replace("{n}", found.total - found.cases.length);
        panel.appendChild(more);
      }
    }).catch(function () { panel.appendChild(document.createTextNode(texts.failed)); });
  }

  function start(el) {
    var texts = JSON.parse(el.dataset.texts), form = document.getElementById("analysis-filters");
    var panel = document.getElementById("grid-cases"), summary = document.getElementById("heat-summary");
    var toggle = document.getElementById("heat-points"), sampled = document.getElementById("heat-sampled");
    var map = L.map(el, { zoomSnap: 0.5 }), grids = null, counts = {}, limits = breaks(0), heat = null;
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }

    function style(feature) {
      var n = counts[feature.properties.code] || 0;
      return { color: "#64748b", weight: 0.4, fillColor: colourOf(n, limits), fillOpacity: n ? 0.85 : 0.25 };
    }

    function points(query) {
      if (heat) { map.removeLayer(heat); heat = null; }
      sampled.textContent = "";
      if (!toggle.checked) { return; }
      json(el.dataset.points + "?" + query.toString()).then(function (found) {
        heat = L.heatLayer(found.points, { radius: 14, blur: 18, maxZoom: 17 }).addTo(map);
        if (found.sampled) { sampled.textContent = texts.sampled.replace("{n}", found.limit); }
      });
    }

    function refresh() {
      var query = params(form);
      form.querySelector(".filter-error").hidden = true;
      summary.textContent = texts.loading;
      history.replaceState(null, "", location.pathname + "?filtered=1&" + query.toString());
      return json(el.dataset.heatmap + "?" + query.toString()).then(function (found) {
        counts = found.grids;
        limits = breaks(found.max);
        if (grids) { grids.setStyle(style); }
        legend(document.getElementById("heat-legend"), limits, texts);
        summary.textContent = texts.total + " " + found.total + " " + texts.cases;
        el.dataset.total = String(found.total);
        points(query);
      }).catch(function (err) { summary.textContent = ""; showError(form, err); });
    }

    json(el.dataset.shapes).then(function (fc) {
      grids = L.geoJSON(fc, { style: style, onEachFeature: function (feature, layer) {
        layer.on("click", function () { gridCases(panel, el, feature.properties.code, params(form), texts); });
      } }).addTo(map);
      map.fitBounds(grids.getBounds());
      el.dataset.grids = String(fc.features.length);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
    form.addEventListener("change", function () { refresh(); });
    toggle.addEventListener("change", function () { points(params(form)); });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("heat-map");
    if (el && window.L) { start(el); }
  });
}());
