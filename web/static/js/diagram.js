/* The case's BPMN diagram (bpmn-js viewer, served locally) with where the case is now and where it has been. */
(function () {
  "use strict";

  function mark(viewer, ids, marker) {
    var registry = viewer.get("elementRegistry"), canvas = viewer.get("canvas");
    ids.forEach(function (id) {
      var element = registry.get(id);
      if (!element) { return; }
      canvas.addMarker(id, marker);
      var parent = element.businessObject && element.businessObject.$parent;
      if (parent && parent.$type === "bpmn:SubProcess" && registry.get(parent.id)) {
        canvas.addMarker(parent.id, marker);  // inside the collapsed disposal subprocess: show it on the main plane
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("case-diagram");
    if (!el || !window.BpmnJS) { return; }
    fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      if (!d.bpmn) { return; }
      var viewer = new window.BpmnJS({ container: el });
      return viewer.importXML(d.bpmn).then(function () {
        viewer.get("canvas").zoom("fit-viewport");
        mark(viewer, d.completed, "done");
        mark(viewer, d.active, "active");
        el.dataset.ready = "true";
      });
    }).catch(function (err) {
      el.textContent = String(err);
    });
  });
}());
