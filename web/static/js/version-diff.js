/* Side-by-side diagrams of two deployed versions, coloured by the server's diff: removed (left, red), added
   (right, green), changed (both, amber); the list names every change (task forms: their fields). */
(function () {
  "use strict";

  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }

  function show(container, xml, marks) {
    container.innerHTML = "";
    var viewer = new window.BpmnJS({ container: container });
    return viewer.importXML(xml).then(function () {
      var registry = viewer.get("elementRegistry"), canvas = viewer.get("canvas");
      canvas.zoom("fit-viewport");
      Object.keys(marks).forEach(function (marker) {
        marks[marker].forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, marker); } });
      });
      container.dataset.ready = "true";
    });
  }

  function ids(list) { return list.map(function (e) { return e.id; }); }

  function compare() {
    var process = document.getElementById("diff-process").value;
    var from = document.getElementById("diff-from").value, to = document.getElementById("diff-to").value;
    var base = "/api/v1/processes/" + encodeURIComponent(process);
    var list = document.getElementById("diff-list");
    list.innerHTML = "";
    Promise.all([get(base + "/diff?from=" + from + "&to=" + to), get(base + "/versions/" + from),
                 get(base + "/versions/" + to)]).then(function (r) {
      var diff = r[0], oldSources = r[1].sources || {}, newSources = r[2].sources || {};
      if (diff.error) { list.textContent = diff.error.message; return; }
      var bpmn = (diff.files || []).filter(function (f) { return /\.bpmn(20\.xml)?$/.test(f.name || f.file || ""); })[0];
      (diff.files || []).forEach(function (f) {
        var d = f.diff || f;
        ["added", "removed", "changed"].forEach(function (kind) {
          (d[kind] || []).forEach(function (e) {
            var li = document.createElement("li");
            li.className = "diff-" + kind;
            var label = typeof e === "string" ? e : (e.id || e.field);  // a form lists its fields
            li.textContent = kind + " · " + (f.name || f.file) + " · " + label + (e.changes ? ": " + e.changes.join("; ") : "");
            list.appendChild(li);
          });
        });
      });
      if (!bpmn) { return; }
      var name = bpmn.name || bpmn.file, d = bpmn.diff || bpmn;
      show(document.getElementById("diff-old"), oldSources[name], { "diff-removed": ids(d.removed || []),
                                                                    "diff-changed": ids(d.changed || []) });
      show(document.getElementById("diff-new"), newSources[name], { "diff-added": ids(d.added || []),
                                                                    "diff-changed": ids(d.changed || []) });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("diff-run");
    if (button && window.BpmnJS) { button.addEventListener("click", compare); }
  });
}());
