/* The emergency command dashboard (应急指挥大屏): draws the figures of GET /api/v1/emergencies/{id}/dashboard and
   draws them again when the page's event stream says a task list the emergency touches changed; while the stream
   is down it polls every 5 s. The map's markers are kept by key and only recoloured or added, never redrawn. */
(function () {
  "use strict";

  var POLL_MS = 5000, DEBOUNCE_MS = 300;
  var COLOURS = { reported: "#f97316", dispatched: "#eab308", disposed: "#38bdf8", closed: "#22c55e",
                  watched: "#a855f7", escalated: "#ef4444", fixed: "#22c55e", recorded: "#94a3b8" };

  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function text(id, value) {
    var el = document.getElementById(id);
    if (el && el.textContent !== String(value)) { el.textContent = String(value); }
  }

  function span(seconds) {
    if (seconds === null || seconds === undefined) { return "—"; }
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    if (h) { return h + "h" + String(m).padStart(2, "0") + "m"; }
    return m + "m" + String(r).padStart(2, "0") + "s";
  }

  function pad(n) { return String(n).padStart(2, "0"); }

  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) { var td = document.createElement("td"); td.textContent = c; tr.appendChild(td); });
    return tr;
  }

  function Dashboard(el) {
    this.el = el;
    this.texts = JSON.parse(el.dataset.texts || "{}");
    this.lang = el.dataset.lang || "zh";
    this.markers = {};
    this.pending = null;
    this.poller = null;
    this.map = this.baseMap();
    this.draw(JSON.parse(el.dataset.first));
    this.ticking();
    this.listen();
  }

  Dashboard.prototype.baseMap = function () {
    var el = document.getElementById("ed-map"), self = this;
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: false });
    if (this.el.dataset.tiles) { L.tileLayer(this.el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    map.setView([24.51, 117.65], 12);
    this.fitted = false;
    json(this.el.dataset.grids + "?level=district").then(function (fc) {
      var area = (self.first && self.first.emergency.area.districts) || [];
      var layer = L.geoJSON(fc, { style: function (f) {
        var mine = area.indexOf(f.properties.code) >= 0;
        return { color: mine ? "#f43f5e" : "#475569", weight: mine ? 3 : 1, fillOpacity: mine ? 0.08 : 0 };
      } }).addTo(map);
      layer.bringToBack();
      if (!self.fitted) { map.fitBounds(layer.getBounds()); }
    }).catch(function () { /* the markers still show */ });
    return map;
  };

  Dashboard.prototype.marker = function (key, item, hazard) {
    var colour = COLOURS[item.state] || "#94a3b8", found = this.markers[key];
    if (item.lat === null || item.lon === null || item.lat === undefined) { return; }
    if (found) {
      if (found.state !== item.state) {
        found.layer.setStyle({ color: colour, fillColor: colour });
        found.state = item.state;
      }
      return;
    }
    var options = { radius: hazard ? 8 : 6, color: hazard ? "#f8fafc" : colour, weight: hazard ? 2 : 1,
                    fillColor: colour, fillOpacity: 0.9 };
    var layer = L.circleMarker([item.lat, item.lon], options).addTo(this.map);
    layer.bindTooltip((hazard ? this.texts.hazards + " " + item.topic : this.texts.incidents + " " + item.case_no)
                      + " · " + (this.texts[item.state] || item.state));
    this.markers[key] = { layer: layer, state: item.state };
  };

  Dashboard.prototype.states = function (id, counts) {
    var ul = document.getElementById(id), self = this;
    Object.keys(counts).forEach(function (state) {
      var li = ul.querySelector('li[data-state="' + state + '"]');
      if (!li) {
        li = document.createElement("li");
        li.dataset.state = state;
        li.innerHTML = '<i class="ed-dot ed-' + state + '"></i>' + (self.texts[state] || state) + " <b></b>";
        ul.appendChild(li);
      }
      var b = li.querySelector("b");
      if (b.textContent !== String(counts[state])) { b.textContent = String(counts[state]); }
    });
  };

  Dashboard.prototype.tables = function (d) {
    var teams = document.querySelector("#teams tbody"), depts = document.querySelector("#departments tbody");
    var lang = this.lang, none = this.texts.none;
    teams.replaceChildren.apply(teams, d.assembly.teams.map(function (t) {
      var tr = row([t.team, t.called, t.acknowledged, t.escalated, t.checked_in,
                    span(t.ack_p50_s) + " / " + span(t.ack_max_s), span(t.assembled_s)]);
      tr.dataset.team = t.team;
      return tr;
    }));
    if (!d.assembly.teams.length) { teams.replaceChildren(row([none])); }
    depts.replaceChildren.apply(depts, d.departments.slice(0, 14).map(function (x) {
      return row([lang === "en" ? x.name_en : x.name, x.cases, x.disposed + x.closed,
                  span(x.response_p50_s) + " / " + span(x.response_p90_s),
                  span(x.fix_p50_s) + " / " + span(x.fix_p90_s)]);
    }));
    if (!d.departments.length) { depts.replaceChildren(row([none])); }
  };

  Dashboard.prototype.draw = function (d) {
    var self = this;
    this.first = this.first || d;
    this.offset = Date.parse(d.emergency.now) - Date.now();  // the server's clock: elapsed time as it counts
    text("count-incidents", d.counts.incidents);
    text("count-hazards", d.counts.hazards);
    this.states("incident-states", d.counts.incidents_by_state);
    this.states("hazard-states", d.counts.hazards_by_state);
    text("count-acknowledged", d.assembly.acknowledged);
    text("count-checked-in", d.assembly.checked_in);
    text("count-called", d.assembly.called);
    text("count-escalated", d.assembly.escalated);
    text("assembled", span(d.assembly.assembled_s));
    text("count-messages", d.messages.notifications);
    text("count-messages-ack", d.messages.acknowledged);
    this.tables(d);
    d.incidents.forEach(function (i) { self.marker("i:" + i.case_no, i, false); });
    d.hazards.forEach(function (h) { self.marker("h:" + h.id, h, true); });
    document.getElementById("ed-map").dataset.markers = String(Object.keys(this.markers).length);
    this.el.dataset.drawn = String((parseInt(this.el.dataset.drawn || "0", 10)) + 1);
  };

  Dashboard.prototype.refresh = function () {
    var self = this;
    if (this.pending) { return; }
    this.pending = setTimeout(function () {
      json(self.el.dataset.api).then(function (d) { self.pending = null; self.draw(d); })
        .catch(function () { self.pending = null; text("ed-mode", self.texts.failed); });
    }, DEBOUNCE_MS);
  };

  Dashboard.prototype.mode = function (live) {
    var self = this;
    text("ed-mode", live ? this.texts.live : this.texts.polling);
    document.getElementById("ed-mode").className = "ed-mode " + (live ? "ed-live" : "ed-polling");
    if (live && this.poller) { clearInterval(this.poller); this.poller = null; }
    if (!live && !this.poller) { this.poller = setInterval(function () { self.refresh(); }, POLL_MS); }
  };

  Dashboard.prototype.listen = function () {
    var self = this;
    if (!window.EventSource) { this.mode(false); return; }
    var tab = sessionStorage.getItem("gridcase-tab") || Math.random().toString(36).slice(2, 12);
    sessionStorage.setItem("gridcase-tab", tab);
    var source = new EventSource(this.el.dataset.stream + "?tab=" + encodeURIComponent(tab));
    this.mode(false);
    source.addEventListener("open", function () { self.mode(true); });
    source.addEventListener("changed", function () { self.mode(true); self.refresh(); });
    source.addEventListener("error", function () { self.mode(false); });
    source.addEventListener("ended", function () { source.close(); self.mode(false); });  // account changed
  };

  Dashboard.prototype.ticking = function () {
    var clock = document.getElementById("ed-elapsed");
    var declared = Date.parse(clock.dataset.declared), ended = clock.dataset.ended, self = this;
    function tick() {
      var now = new Date(Date.now() + (self.offset || 0));
      text("ed-clock", pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()));
      var until = ended ? Date.parse(ended) : now.getTime();
      var s = Math.max(0, Math.floor((until - declared) / 1000));
      text("ed-elapsed", pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60));
    }
    tick();
    setInterval(tick, 1000);
  };

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("ed");
    if (el) { window.gridcaseDashboard = new Dashboard(el); }
  });
})();

/* The hazard survey's form: a second survey of the same emergency is started only after a confirm (data-confirm). */
document.addEventListener("submit", function (event) {
  "use strict";
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
