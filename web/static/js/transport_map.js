/* Transport supervision's map helpers (渣土运输监管), shared by the live map, the playback and the alert page:
   a Leaflet map on the city (tiles only when the installation names a tile server), the permit corridors (the
   buffered polygon the rules check, and the line itself), the sites, state colours and a JSON fetch. */
(function () {
  "use strict";

  var CENTRE = [24.51, 117.65];  /* the demo city's centre: the view before anything is drawn */
  var COLOURS = { moving: "#16a34a", stopped: "#2563eb", silent: "#94a3b8", alert: "#dc2626", no_position: "#cbd5e1" };

  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function map(el) {
    var m = L.map(el, { zoomSnap: 0.5 }).setView(CENTRE, 12);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(m); }
    return m;
  }

  /* A tooltip's content as a DOM node holding plain text: Leaflet reads a string as HTML, and a registry's names and
     codes are data (a site named "<a href=…>" must show those characters, never a link). */
  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  /* The permits' corridors and the sites they name, in one layer group (bounds for fitting); each site's path
     carries its code (data-site). */
  function permits(m, permitList, sites, texts) {
    var group = L.featureGroup().addTo(m);
    (permitList || []).forEach(function (p) {
      if (p.corridor_area) {
        L.geoJSON(p.corridor_area, { style: { color: "#15803d", weight: 1, fillColor: "#86efac", fillOpacity: 0.3 } })
          .bindTooltip(label(texts.corridor + " " + p.code)).addTo(group);
      }
      if (p.corridor && p.corridor.type) {
        L.geoJSON(p.corridor, { style: { color: "#15803d", weight: 2, dashArray: "6 6" } }).addTo(group);
      }
    });
    (sites || []).forEach(function (s) {
      var colour = s.kind === "disposal" ? "#7c3aed" : "#b45309";
      var site = L.geoJSON(s.geometry, { style: { color: colour, weight: 2, fillOpacity: 0.25 } })
        .bindTooltip(label(texts.site + " " + s.code + " " + s.name)).addTo(group);
      site.eachLayer(function (layer) { layer.getElement().setAttribute("data-site", s.code); });
    });
    return group;
  }

  /* The city's UTC offset in minutes (the page's data-offset): times are shown and picked in the city's zone,
     whatever the browser's. */
  var offset = Number((document.querySelector("[data-offset]") || { dataset: { offset: "0" } }).dataset.offset);

  function localTime(ms) {
    var d = new Date(ms + offset * 60000), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  /* A datetime-local input's value (city time) as an ISO time with the city's offset. */
  function cityIso(value) {
    if (!value) { return ""; }
    var sign = offset < 0 ? "-" : "+", abs = Math.abs(offset), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (value.length === 16 ? value + ":00" : value) + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  window.TransportMap = { json: json, map: map, permits: permits, colours: COLOURS, localTime: localTime,
                         cityIso: cityIso, label: label };
}());
