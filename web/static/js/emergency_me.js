// The assembly phone page: fill the check-in form with the phone's position (geolocation) and show the time.
// Without a position (no geolocation, permission denied, no fix) a small Leaflet map centred on the assembly point
// appears: a tap there places the person and fills the hidden fields; check in waits for a position.
(function () {
  "use strict";

  function fill(lon, lat, status, text, button) {
    document.getElementById("lon").value = lon.toFixed(6);
    document.getElementById("lat").value = lat.toFixed(6);
    status.textContent = text;
    status.setAttribute("data-located", "1");
    if (button) { button.disabled = false; }
  }

  function tapMap(box, status, button) {
    var centre = JSON.parse(box.dataset.centre || "[]");
    box.hidden = false;
    status.textContent = status.dataset.noPosition;
    if (!window.L || centre.length !== 2) { return; }
    var map = L.map(box, { zoomControl: true }).setView([centre[1], centre[0]], 16);
    if (box.dataset.tiles) { L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    L.circleMarker([centre[1], centre[0]], { radius: 8, color: "#b45309", fillOpacity: 0.6 })
      .addTo(map).bindTooltip(box.dataset.point || "", { permanent: !!box.dataset.point });
    var me = null;
    map.on("click", function (event) {
      var at = event.latlng;
      if (me) { me.setLatLng(at); } else { me = L.circleMarker(at, { radius: 9, color: "#1d4ed8", fillOpacity: 0.8 }).addTo(map); }
      fill(at.lng, at.lat, status, status.dataset.tapped, button);
    });
  }

  function ready() {
    var now = document.getElementById("now");
    if (now) { now.textContent = new Date().toLocaleTimeString(); }
    var status = document.getElementById("position-status");
    var box = document.getElementById("check-in-map");
    var button = document.getElementById("check-in");
    if (!status || !document.getElementById("lon")) { return; }
    var noPosition = function () {
      if (box) { tapMap(box, status, button); } else { status.textContent = status.dataset.noPosition; }
    };
    if (box && button) { button.disabled = true; }  // until the phone or a tap gives a position
    if (!navigator.geolocation) { noPosition(); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      fill(pos.coords.longitude, pos.coords.latitude, status, status.dataset.locatedText, button);
    }, noPosition, { enableHighAccuracy: true, timeout: 10000 });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
