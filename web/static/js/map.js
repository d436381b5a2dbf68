/* Maps of the city's grids (Leaflet, served locally; no online tiles unless a tile URL is configured).
   #case-map: the case's point and its unit grid.  #report-map: click to place the report. */
(function () {
  "use strict";

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function baseMap(el) {
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.5 });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    json(el.dataset.grids + "?level=resp").then(function (fc) {
      var layer = L.geoJSON(fc, { style: { color: "#2563eb", weight: 1.5, fill: false } }).addTo(map);
      if (!el.dataset.lat) { map.fitBounds(layer.getBounds()); }
    });
    return map;
  }

  function unitGridsAround(el, map, lon, lat, code) {
    var d = 0.004, box = [lon - d, lat - d, lon + d, lat + d].join(",");
    return json(el.dataset.grids + "?level=unit&bbox=" + box).then(function (fc) {
      return L.geoJSON(fc, { style: function (f) {
        var mine = f.properties.code === code;
        return { color: mine ? "#dc2626" : "#64748b", weight: mine ? 2.5 : 0.6, fillOpacity: mine ? 0.15 : 0 };
      } }).addTo(map);
    });
  }

  function caseMap(el) {
    var lon = parseFloat(el.dataset.lon), lat = parseFloat(el.dataset.lat);
    var map = baseMap(el);
    map.setView([lat, lon], 16);
    L.circleMarker([lat, lon], { radius: 7, color: "#dc2626", fillOpacity: 0.9 }).addTo(map);
    unitGridsAround(el, map, lon, lat, el.dataset.unitGrid || "");
  }

  function reportMap(el) {
    var map = baseMap(el), marker = null, grids = null, out = document.getElementById("map-where");
    var lonInput = document.getElementById("lon"), latInput = document.getElementById("lat");
    function place(lat, lon) {
      lonInput.value = lon.toFixed(6);
      latInput.value = lat.toFixed(6);
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.circleMarker([lat, lon], { radius: 7 }).addTo(map); }
      json(el.dataset.locate + "?lon=" + lon + "&lat=" + lat).then(function (where) {
        out.textContent = where.district + " · " + where.resp_grid + " · " + where.unit_grid;
        out.classList.remove("field-error");
        if (grids) { map.removeLayer(grids); }
        unitGridsAround(el, map, lon, lat, where.unit_grid).then(function (layer) { grids = layer; });
      }).catch(function () {
        out.textContent = el.dataset.outside;
        out.classList.add("field-error");
      });
    }
    map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng); });
    var locate = document.getElementById("use-my-location");
    if (locate && navigator.geolocation) {
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (p) {
          map.setView([p.coords.latitude, p.coords.longitude], 16);
          place(p.coords.latitude, p.coords.longitude);
        });
      });
    }
    if (lonInput.value && latInput.value) { map.setView([parseFloat(latInput.value), parseFloat(lonInput.value)], 15); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var c = document.getElementById("case-map"), r = document.getElementById("report-map");
    if (c && window.L) { caseMap(c); }
    if (r && window.L) { reportMap(r); }
  });
}());
