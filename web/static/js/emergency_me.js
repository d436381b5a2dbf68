// The assembly phone page: fill the check-in form with the phone's position (geolocation) and show the time;
// without a position the fields stay for the person to type in.
(function () {
  "use strict";
  function ready() {
    var now = document.getElementById("now");
    if (now) { now.textContent = new Date().toLocaleTimeString(); }
    var lon = document.getElementById("lon"), lat = document.getElementById("lat");
    var status = document.getElementById("position-status");
    if (!lon || !lat) { return; }
    if (!navigator.geolocation) { status.textContent = "无法定位，请输入坐标 (no position: type it in)"; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      lon.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
      status.textContent = "已定位 (position found)";
      status.setAttribute("data-located", "1");
    }, function () {
      status.textContent = "无法定位，请输入坐标 (no position: type it in)";
    }, {enableHighAccuracy: true, timeout: 10000});
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
