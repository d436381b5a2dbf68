/* The auditor's replay: a case's events step by step on the BPMN diagram of its process version.
   Markers (CSS classes on bpmn-js elements): replay-done, replay-active, replay-overdue, replay-repeated,
   replay-current; a count badge (overlay) on every element finished more than once (返工 rework loops).
   #step=N (the event's seq) links to a step; stepping keeps the URL's hash up to date. */
(function () {
  "use strict";

  var MARKERS = ["replay-done", "replay-active", "replay-overdue", "replay-repeated", "replay-current"];
  var root, texts, doc, viewer, loadedVersion = null, index = 0, timer = null, marked = [], pending = null;

  function $(id) { return document.getElementById(id); }

  function cityTime(iso) {
    if (!iso) { return texts.none; }
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString("sv-SE", { timeZone: root.dataset.zone || "Asia/Shanghai" });
  }

  function shown(value) {
    if (value === null || value === undefined) { return texts.none; }
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function stepName(id) { return (texts.steps && texts.steps[id]) || id; }

  function setText(id, value) { $(id).textContent = value; }

  /* bpmn-js: the element and, for one inside a collapsed subprocess, that subprocess on the main plane. */
  function targets(registry, id) {
    var element = registry.get(id), out = [];
    if (!element) { return out; }
    out.push(id);
    var parent = element.businessObject && element.businessObject.$parent;
    if (parent && parent.$type === "bpmn:SubProcess" && registry.get(parent.id)) { out.push(parent.id); }
    return out;
  }

  function clearMarks() {
    var canvas = viewer.get("canvas");
    marked.forEach(function (pair) { canvas.removeMarker(pair[0], pair[1]); });
    marked = [];
    viewer.get("overlays").remove({ type: "replay-count" });
  }

  function mark(ids, marker) {
    var registry = viewer.get("elementRegistry"), canvas = viewer.get("canvas");
    ids.forEach(function (id) {
      targets(registry, id).forEach(function (target) {
        canvas.addMarker(target, marker);
        marked.push([target, marker]);
      });
    });
  }

  function badges(counts) {
    var registry = viewer.get("elementRegistry"), overlays = viewer.get("overlays"), most = {};
    Object.keys(counts).forEach(function (id) {
      if (counts[id] < 2) { return; }
      targets(registry, id).forEach(function (target) { most[target] = Math.max(most[target] || 0, counts[id]); });
    });
    Object.keys(most).forEach(function (target) {
      var badge = document.createElement("span");
      badge.className = "replay-count";
      badge.dataset.element = target;
      badge.dataset.count = String(most[target]);
      badge.textContent = "×" + most[target];
      overlays.add(target, "replay-count", { position: { top: -10, right: 14 }, html: badge });
    });
    mark(Object.keys(counts).filter(function (id) { return counts[id] > 1; }), "replay-repeated");
  }

  function paint(frame) {
    if (!viewer || loadedVersion === null) { return; }
    clearMarks();
    mark(frame.completed, "replay-done");
    mark(frame.active, "replay-active");
    mark(frame.overdue, "replay-overdue");
    if (frame.bpmn_id) { mark([frame.bpmn_id], "replay-current"); }
    badges(frame.counts);
    $("replay-diagram").dataset.step = String(frame.seq);
  }

  function versionOf(event) {
    var id = String(event.process_version_id);
    if (doc.versions && doc.versions[id]) { return doc.versions[id]; }
    return doc.process;
  }

  /* Draw the version the event ran on (a migrated case changes version), then the frame's markers. */
  function draw(frame, event) {
    var version = versionOf(event);
    if (!viewer) { return; }
    if (version.version_id === loadedVersion || !version.bpmn) { paint(frame); return; }
    if (pending) { pending.frame = frame; return; }
    pending = { frame: frame };
    viewer.importXML(version.bpmn).then(function () {
      loadedVersion = version.version_id;
      setText("process-version", version.process_id + " v" + version.version);
      viewer.get("canvas").zoom("fit-viewport");
      var latest = pending.frame;
      pending = null;
      $("replay-diagram").dataset.ready = "true";
      paint(latest);
    }).catch(function (err) { pending = null; $("replay-diagram").textContent = String(err); });
  }

  function changes(frame) {
    var body = $("step-changes"), paths = Object.keys(frame.changes || {}).sort();
    body.textContent = "";
    paths.forEach(function (path) {
      var row = document.createElement("tr"), pair = frame.changes[path] || [];
      [path, shown(pair[0]), "→", shown(pair[1])].forEach(function (text, i) {
        var cell = document.createElement("td");
        cell.textContent = text;
        if (i === 0) { cell.className = "path"; }
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    $("step-no-changes").hidden = paths.length > 0;
  }

  function light(value) {
    var el = $("step-light");  /* a span in its cell */
    el.textContent = value ? (texts.lights[value] || value) : texts.none;
    el.className = value ? "light light-" + value : "light light-none";
  }

  function details(frame, event) {
    setText("step-seq", String(frame.seq));
    var what = (texts.events[frame.event_type] || frame.event_type) + (frame.bpmn_id ? " · " + stepName(frame.bpmn_id) : "");
    setText("step-what", what);
    setText("step-time", cityTime(frame.occurred_at));
    setText("step-actor", frame.actor || texts.none);
    setText("step-kind", texts.kinds[frame.actor_kind] || frame.actor_kind);
    setText("step-request", frame.request_id || texts.none);
    setText("step-due", cityTime(frame.due_at));
    setText("step-warn", cityTime(frame.warn_at));
    light(frame.light);
    setText("step-active", frame.active.map(stepName).join("、") || texts.none);
    setText("step-overdue", frame.overdue.map(stepName).join("、") || texts.none);
    changes(frame);
    var data = frame.event_type === "data_changed" ? null : event.data;
    setText("step-data", data && Object.keys(data).length ? JSON.stringify(data, null, 2) : texts.none);
  }

  function timeline(frame) {
    var items = document.querySelectorAll("#replay-timeline li");
    Array.prototype.forEach.call(items, function (li) {
      var current = li.dataset.seq === String(frame.seq);
      li.classList.toggle("current", current);
      if (current) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
    });
    var now = $("event-" + frame.seq), list = $("replay-timeline");
    if (now && (now.offsetTop < list.scrollTop || now.offsetTop + now.offsetHeight > list.scrollTop + list.clientHeight)) {
      list.scrollTop = now.offsetTop - list.clientHeight / 2;  // the list only: the page stays where it is
    }
  }

  function show(i) {
    if (!doc || !doc.frames.length) { return; }
    index = Math.max(0, Math.min(doc.frames.length - 1, i));
    var frame = doc.frames[index], event = doc.events[index];
    $("step-scrubber").value = String(index + 1);
    setText("step-position", String(index + 1));
    details(frame, event);
    timeline(frame);
    draw(frame, event);
    if (location.hash !== "#step=" + frame.seq) { history.replaceState(null, "", "#step=" + frame.seq); }
  }

  function fromHash() {
    var found = /step=(\d+)/.exec(location.hash || "");
    if (!found || !doc) { return null; }
    var seq = Number(found[1]);
    for (var i = 0; i < doc.frames.length; i += 1) {
      if (doc.frames[i].seq >= seq) { return i; }
    }
    return doc.frames.length - 1;
  }

  function stop() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    $("step-play").textContent = texts.play;
    root.dataset.playing = "false";
  }

  function tick() {
    if (index >= doc.frames.length - 1) { stop(); return; }
    show(index + 1);
    timer = setTimeout(tick, 1000 / Number($("step-speed").value || 1));
  }

  function toggle() {
    if (timer !== null) { stop(); return; }
    if (index >= doc.frames.length - 1) { show(0); }
    $("step-play").textContent = texts.pause;
    root.dataset.playing = "true";
    timer = setTimeout(tick, 1000 / Number($("step-speed").value || 1));
  }

  function onKey(e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) { return; }  // the button's own click
    var moves = { ArrowLeft: function () { show(index - 1); }, ArrowRight: function () { show(index + 1); },
                  Home: function () { show(0); }, End: function () { show(doc.frames.length - 1); }, " ": toggle };
    if (!moves[e.key] || !doc) { return; }
    e.preventDefault();
    if (e.key !== " ") { stop(); }
    moves[e.key]();
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function verdict(body) {
    var out = $("verify-result");
    out.textContent = "";
    var head = document.createElement("p");
    head.className = body.verified ? "verified" : "diverged";
    head.textContent = (body.verified ? texts.verified : texts.diverged) + " · " + body.events + " · " +
      Number(body.seconds).toFixed(3) + " s";
    out.appendChild(head);
    if (!body.divergence) { return; }
    var list = document.createElement("dl");
    list.className = "grid divergence";
    Object.keys(texts.divergence).forEach(function (key) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = texts.divergence[key];
      dd.textContent = shown(body.divergence[key]);
      list.appendChild(dt);
      list.appendChild(dd);
    });
    out.appendChild(list);
  }

  function verify() {
    var out = $("verify-result");
    out.textContent = texts.verifying;
    out.dataset.state = "running";
    fetch(root.dataset.verifyUrl, { method: "POST", credentials: "same-origin",
                                    headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { throw new Error((res.body.error && res.body.error.message) || texts.failed); }
        verdict(res.body);
        out.dataset.state = res.body.verified ? "verified" : "diverged";
      })
      .catch(function (err) { out.textContent = texts.failed + ": " + err.message; out.dataset.state = "error"; });
  }

  function wire() {
    $("step-first").addEventListener("click", function () { stop(); show(0); });
    $("step-back").addEventListener("click", function () { stop(); show(index - 1); });
    $("step-forward").addEventListener("click", function () { stop(); show(index + 1); });
    $("step-last").addEventListener("click", function () { stop(); show(doc.frames.length - 1); });
    $("step-play").addEventListener("click", toggle);
    $("step-scrubber").addEventListener("input", function (e) { stop(); show(Number(e.target.value) - 1); });
    $("verify").addEventListener("click", verify);
    document.addEventListener("keydown", onKey);
    window.addEventListener("hashchange", function () {
      var i = fromHash();
      if (i !== null && i !== index) { stop(); show(i); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = $("replay");
    if (!root) { return; }
    texts = JSON.parse(root.dataset.texts);
    if (window.BpmnJS) { viewer = new window.BpmnJS({ container: $("replay-diagram") }); }
    fetch(root.dataset.url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + r.statusText); } return r.json(); })
      .then(function (d) {
        doc = d;
        wire();
        var start = fromHash();
        show(start === null ? 0 : start);
        root.dataset.ready = "true";
      })
      .catch(function (err) { $("replay-diagram").textContent = String(err); });
  });
}());
