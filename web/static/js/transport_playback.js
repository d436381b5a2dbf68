/* A vehicle's track played back (轨迹回放) over a chosen period, and an alert's track segment (告警详情).

   Playback: the period's track from the API (times in properties.times), the permit corridors and sites, the alerts
   raised in the period marked on the track (each links to its alert page). Play/pause, speed 1×–60× of the track's
   own time, a slider over the points that follows the marker and moves it when dragged, the time and speed of the
   marker. A gap between two positions longer than GAP_MS (the truck parked, or its device off) is jumped over, so
   a day's track does not sit still for hours. The map's element carries the marker's point index and place
   (data-index, data-lat, data-lon) for whoever watches it. */
(function () {
  "use strict";

  var GAP_MS = 120000;

  function alertMarkers(group, alerts, texts, alertUrl) {
    (alerts || []).forEach(function (a) {
      var box = document.createElement("div"), link = document.createElement("a");
      link.href = alertUrl.replace(/0$/, String(a.id));
      link.textContent = (texts["kind_" + a.kind] || a.kind) + " · " + window.TransportMap.localTime(Date.parse(a.started_at));
      box.appendChild(link);
      var marker = L.circleMarker([a.lat, a.lon], { radius: 8, color: "#7f1d1d", weight: 2, fillColor: "#dc2626",
                                                    fillOpacity: 0.9 }).bindPopup(box).addTo(group);
      marker.getElement().setAttribute("data-alert", String(a.id));
    });
  }

  function Player(el, m, texts) {
    var self = this;
    this.el = el; this.texts = texts; this.m = m; this.times = []; this.coords = []; this.speeds = [];
    this.playing = false; this.t = 0; this.last = null;
    this.play = document.getElementById("playback-play");
    this.slider = document.getElementById("playback-slider");
    this.label = document.getElementById("playback-time");
    this.speedNow = document.getElementById("playback-speed-now");
    this.rate = document.getElementById("playback-speed");
    this.play.addEventListener("click", function () { return self.playing ? self.pause() : self.start(); });
    this.slider.addEventListener("input", function () { self.seek(Number(self.slider.value)); });
  }

  Player.prototype.load = function (feature) {
    this.pause();
    if (this.marker) { this.m.removeLayer(this.marker); this.marker = null; }
    this.coords = feature.geometry.coordinates;
    this.times = feature.properties.times.map(function (t) { return Date.parse(t); });
    this.speeds = feature.properties.speeds || [];
    var ready = this.coords.length > 0;
    this.play.disabled = this.slider.disabled = !ready;
    this.slider.max = String(Math.max(0, this.coords.length - 1));
    this.el.dataset.points = String(this.coords.length);
    if (!ready) { this.label.textContent = this.texts.no_track; this.el.dataset.index = "-1"; return; }
    this.marker = L.circleMarker([this.coords[0][1], this.coords[0][0]], { radius: 9, color: "#111827", weight: 2,
                                                                           fillColor: "#facc15", fillOpacity: 1, interactive: false })
      .addTo(this.m);
    this.marker.getElement().setAttribute("id", "playback-marker");
    this.seek(0);
  };

  Player.prototype.indexAt = function (t) {
    var lo = 0, hi = this.times.length - 1;
    while (lo < hi) {  /* the last point at or before t */
      var mid = (lo + hi + 1) >> 1;
      if (this.times[mid] <= t) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  };

  Player.prototype.show = function (i, t) {
    var a = this.coords[i], b = this.coords[Math.min(i + 1, this.coords.length - 1)];
    var span = this.times[Math.min(i + 1, this.times.length - 1)] - this.times[i];
    var f = span > 0 ? Math.min(1, Math.max(0, (t - this.times[i]) / span)) : 0;
    var lon = a[0] + (b[0] - a[0]) * f, lat = a[1] + (b[1] - a[1]) * f;
    this.marker.setLatLng([lat, lon]);
    this.slider.value = String(i);
    this.label.textContent = window.TransportMap.localTime(t);
    var speed = this.speeds[i];
    this.speedNow.textContent = speed == null ? "" : this.texts.speed_kmh + " " + Math.round(speed) + " km/h";
    this.el.dataset.index = String(i);
    this.el.dataset.lat = lat.toFixed(6);
    this.el.dataset.lon = lon.toFixed(6);
  };

  Player.prototype.seek = function (i) {
    this.t = this.times[i];
    this.show(i, this.t);
  };

  Player.prototype.start = function () {
    var self = this;
    if (this.indexAt(this.t) >= this.times.length - 1) { this.seek(0); }
    this.playing = true;
    this.last = null;
    this.play.textContent = this.texts.pause;
    this.el.dataset.playing = "1";
    var frame = function (now) {
      if (!self.playing) { return; }
      if (self.last !== null) { self.advance((now - self.last) * Number(self.rate.value)); }
      self.last = now;
      if (self.playing) { window.requestAnimationFrame(frame); }
    };
    window.requestAnimationFrame(frame);
  };

  Player.prototype.advance = function (ms) {
    var end = this.times[this.times.length - 1], i = this.indexAt(this.t);
    if (i < this.times.length - 1 && this.times[i + 1] - this.times[i] > GAP_MS) {
      this.t = this.times[i + 1];  /* a long gap: jump to the next position */
    } else {
      this.t = Math.min(end, this.t + ms);
    }
    this.show(this.indexAt(this.t), this.t);
    if (this.t >= end) { this.pause(); }
  };

  Player.prototype.pause = function () {
    this.playing = false;
    this.play.textContent = this.texts.play;
    this.el.dataset.playing = "0";
  };

  function playback(el) {
    var T = window.TransportMap, texts = JSON.parse(el.dataset.texts), m = T.map(el), layers = L.layerGroup().addTo(m);
    var player = new Player(el, m, texts), info = document.getElementById("playback-info"), form = document.getElementById("playback-period");

    function load() {
      var from = T.cityIso(document.getElementById("playback-from").value);
      var to = T.cityIso(document.getElementById("playback-to").value);
      info.textContent = texts.loading;
      el.dataset.ready = "0";
      T.json(el.dataset.api + "?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to)).then(function (found) {
        layers.clearLayers();
        var group = T.permits(m, found.permits, found.sites, texts);
        layers.addLayer(group);
        var line = L.geoJSON(found.track, { style: { color: "#1d4ed8", weight: 3, opacity: 0.8 } }).addTo(layers);
        var marks = L.featureGroup().addTo(layers);
        alertMarkers(marks, found.alerts, texts, el.dataset.alert);
        var bounds = found.points ? line.getBounds() : group.getBounds();
        if (bounds.isValid()) { m.fitBounds(bounds, { padding: [30, 30] }); }
        player.load(found.track);
        info.textContent = texts.points + " " + found.points + (found.thinned ? " (" + texts.thinned + " " + found.total_points + ")" : "");
        el.dataset.corridors = String((found.permits || []).filter(function (p) { return p.corridor_area; }).length);
        el.dataset.alerts = String((found.alerts || []).length);
        el.dataset.ready = "1";
      }).catch(function (error) { info.textContent = texts.failed + " " + error.message; });
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
    load();
  }

  function alertMap(el) {
    var T = window.TransportMap, texts = JSON.parse(el.dataset.texts), found = JSON.parse(el.dataset.alert), m = T.map(el);
    var group = T.permits(m, found.permit ? [found.permit] : [], found.sites, texts);
    if (found.track && found.track.type) {
      L.geoJSON(found.track, { style: { color: "#1d4ed8", weight: 3 } }).addTo(group);
    }
    L.circleMarker([found.lat, found.lon], { radius: 9, color: "#7f1d1d", weight: 2, fillColor: "#dc2626",
                                             fillOpacity: 0.9 }).bindTooltip(T.label(texts.alert)).addTo(group);
    m.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: 16 });
    el.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L || !window.TransportMap) { return; }
    var el = document.getElementById("playback-map");
    if (el) { playback(el); }
    var alertEl = document.getElementById("alert-map");
    if (alertEl) { alertMap(alertEl); }
  });
}());
