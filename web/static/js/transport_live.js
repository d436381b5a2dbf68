/* The live map (渣土车实时监控): every vehicle at its newest position, coloured by state (moving, stopped, silent,
   alert open), the counts and the list beside it; the positions are fetched again every 10 s and the markers
   moved in place. */
(function () {
  "use strict";

  var EVERY_MS = 10000;
  var ORDER = { alert: 0, moving: 1, stopped: 2, silent: 3, no_position: 4 };  /* the list: what needs eyes first */

  function start(el) {
    var T = window.TransportMap, texts = JSON.parse(el.dataset.texts), m = T.map(el), markers = {}, fitted = false;
    var rows = document.querySelector("#transport-vehicles tbody"), updated = document.getElementById("transport-updated");

    function link(plate) { return el.dataset.vehicle.replace("PLATE", encodeURIComponent(plate)); }

    function popup(v) {
      var box = document.createElement("div"), a = document.createElement("a");
      a.href = link(v.plate);
      a.textContent = v.plate;
      box.appendChild(a);
      box.appendChild(document.createTextNode(" · " + v.company_name + " · " + (texts[v.state] || v.state) +
        (v.speed_kmh != null ? " · " + texts.speed_kmh + " " + Math.round(v.speed_kmh) + " km/h" : "") +
        (v.at ? " · " + T.localTime(Date.parse(v.at)) : "")));
      return box;
    }

    function draw(found) {
      var seen = {}, placed = [];
      found.vehicles.forEach(function (v) {
        if (v.lon == null || v.lat == null) { return; }
        seen[v.plate] = true;
        var style = { radius: 7, color: "#1f2937", weight: 1, fillColor: T.colours[v.state], fillOpacity: 0.9 };
        var marker = markers[v.plate];
        if (!marker) {
          marker = markers[v.plate] = L.circleMarker([v.lat, v.lon], style).bindTooltip(T.label(v.plate)).addTo(m);
          marker.getElement().setAttribute("data-plate", v.plate);
        } else {
          marker.setLatLng([v.lat, v.lon]).setStyle(style);
        }
        marker.getElement().setAttribute("data-state", v.state);
        marker.bindPopup(popup(v));
        placed.push([v.lat, v.lon]);
      });
      Object.keys(markers).forEach(function (plate) {
        if (!seen[plate]) { m.removeLayer(markers[plate]); delete markers[plate]; }
      });
      if (!fitted && placed.length) { m.fitBounds(placed, { padding: [30, 30], maxZoom: 15 }); fitted = true; }
      list(found.vehicles);
      Object.keys(found.counts).forEach(function (s) {
        var badge = document.querySelector('#transport-counts [data-state="' + s + '"] b');
        if (badge) { badge.textContent = String(found.counts[s]); }
      });
      updated.textContent = texts.updated + " " + T.localTime(Date.parse(found.at));
      el.dataset.vehicles = String(placed.length);
      el.dataset.ready = "1";
    }

    function list(vehicles) {
      rows.textContent = "";
      vehicles.slice().sort(function (a, b) {
        return (ORDER[a.state] - ORDER[b.state]) || (a.plate < b.plate ? -1 : a.plate > b.plate ? 1 : 0);
      }).forEach(function (v) {
        var tr = document.createElement("tr"), a = document.createElement("a");
        tr.dataset.plate = v.plate;
        tr.dataset.state = v.state;
        a.href = link(v.plate);
        a.textContent = v.plate;
        [a, v.company_name, texts[v.state] || v.state, v.at ? T.localTime(Date.parse(v.at)) : "—"].forEach(function (x) {
          var td = document.createElement("td");
          if (typeof x === "string") { td.textContent = x; } else { td.appendChild(x); }
          tr.appendChild(td);
        });
        rows.appendChild(tr);
      });
    }

    function refresh() {
      T.json(el.dataset.api).then(draw).catch(function () { updated.textContent = texts.failed; });
    }
    refresh();
    setInterval(refresh, EVERY_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("transport-live-map");
    if (el && window.L && window.TransportMap) { start(el); }
  });
}());
