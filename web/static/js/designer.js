/* The process designer: open a file of workflows/ or rules/, a draft or a deployed version; edit it in the
   bpmn-js or dmn-js modeler (served locally); save drafts on the server; validate (problems highlighted on
   their elements, a click selects one); deploy (with the task forms edited in designer-forms.js). Talks to /api/v1 with the session's CSRF token. */
(function () {
  "use strict";

  var root, api, modeler = null, kind = null, current = null, dirty = false, sources = {}, ruleDecisions = {};

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function call(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf() } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(api + path, options).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }

  function status(text, bad) {
    var el = document.getElementById("designer-status");
    el.textContent = text;
    el.className = bad ? "field-error" : "ok";
  }

  function item(list, text, onOpen) {
    var li = document.createElement("li"), a = document.createElement("a");
    a.href = "#";
    a.textContent = text;
    a.addEventListener("click", function (e) { e.preventDefault(); onOpen(); });
    li.appendChild(a);
    document.getElementById(list).appendChild(li);
  }

  function open(name, xml) {
    if (dirty && !window.confirm(root.dataset.unsaved)) { return; }
    var container = document.getElementById("canvas");
    if (modeler) { modeler.destroy(); }
    container.innerHTML = "";
    delete container.dataset.ready;
    kind = /\.dmn$/.test(name) ? "dmn" : "bpmn";
    modeler = kind === "dmn" ? new window.DmnJS({ container: container })
                             : new window.BpmnJS({ container: container,
                                                   moddleExtensions: { spiffworkflow: window.gridcaseSpiffModdle } });
    var panel = document.getElementById("properties");
    panel.innerHTML = "";
    if (kind === "bpmn" && window.gridcaseProperties) { window.gridcaseProperties(modeler, panel); }
    current = name;
    document.getElementById("file-name").textContent = name;
    document.getElementById("problems").innerHTML = "";
    return modeler.importXML(xml).then(function () {
      dirty = false;
      if (kind === "bpmn") {
        modeler.get("canvas").zoom("fit-viewport");
        modeler.on("commandStack.changed", function () { dirty = true; });
      } else {
        modeler.on("views.changed", function () { dirty = true; });
      }
      container.dataset.ready = "true";
      showRuleTest();
      if (window.gridcaseForms) { window.gridcaseForms.list(kind === "bpmn" ? xml : ""); }
    }).catch(function (err) { status(String(err), true); });
  }

  function xml() {
    return modeler.saveXML({ format: true }).then(function (r) { return r.xml; });
  }

  function files(text) {
    var out = {};
    Object.keys(sources).forEach(function (name) { out[name] = sources[name]; });
    out[current] = text;
    var forms = window.gridcaseForms ? window.gridcaseForms.files() : {};  // forms edited next to the BPMN
    Object.keys(forms).forEach(function (name) { out[name] = forms[name]; });
    return out;
  }

  function focus(id) {
    // An element inside the collapsed disposal subprocess lives on its own plane: show that plane first.
    var registry = modeler.get("elementRegistry"), canvas = modeler.get("canvas"), element = registry.get(id);
    if (!element) { return; }
    var root = canvas.findRoot(element);
    if (root && root !== canvas.getRootElement()) { canvas.setRootElement(root); }
    modeler.get("selection").select(element);
    canvas.scrollToElement(element);
  }

  function showProblems(problems) {
    var list = document.getElementById("problems");
    list.innerHTML = "";
    var canvas = kind === "bpmn" ? modeler.get("canvas") : null;
    var registry = kind === "bpmn" ? modeler.get("elementRegistry") : null;
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "problem " + p.severity;
      li.dataset.element = p.element_id || "";
      li.textContent = (p.element_id ? p.element_id + ": " : "") + p.message + (p.file ? " (" + p.file + ")" : "");
      if (registry && p.element_id && registry.get(p.element_id)) {
        canvas.addMarker(p.element_id, "problem-" + p.severity);
        li.addEventListener("click", function () { focus(p.element_id); });
      }
      list.appendChild(li);
    });
  }

  function validate() {
    return xml().then(function (text) {
      return call("POST", "/processes/validate", { files: files(text) });
    }).then(function (r) {
      var problems = (r.data && r.data.problems) || [];
      showProblems(problems);
      var errors = problems.filter(function (p) { return p.severity === "error"; });
      status(errors.length ? errors.length + " ✗" : root.dataset.valid, errors.length > 0);
      return errors.length === 0;
    });
  }

  function saveDraft() {
    return xml().then(function (text) {
      return call("PUT", "/drafts/" + encodeURIComponent(current), { content: text });
    }).then(function (r) {
      if (r.status < 300) { dirty = false; status(root.dataset.saved); loadDrafts(); }
      else { status(r.data.error.message, true); }
    });
  }

  function deploy() {
    return xml().then(function (text) {
      var comment = document.getElementById("deploy-comment").value;
      return call("POST", "/processes/deploy", { files: files(text), comment: comment });
    }).then(function (r) {
      if (r.status < 300) {
        dirty = false;
        status(root.dataset.deployed + ": " + (r.data.versions || []).map(function (v) {
          return v.process_id + " v" + v.number;
        }).join(", "));
        loadVersions();
      } else {
        showProblems(r.data.error.problems || []);
        status(r.data.error.message, true);
      }
    });
  }

  function decisions() {
    // dmn-js lists a view per decision table; their elements are the decisions
    return (modeler.getViews ? modeler.getViews() : []).filter(function (v) {
      return v.type === "decisionTable" || v.type === "literalExpression";
    }).map(function (v) { return v.element; });
  }

  function showRuleTest() {
    var panel = document.getElementById("rule-test"), select = document.getElementById("rule-decision");
    panel.hidden = kind !== "dmn";
    if (kind !== "dmn") { return; }
    // every decision and decision service of the file, whatever its kind (designer-rules.js reads the XML)
    return xml().then(function (text) {
      var found = window.gridcaseRules ? window.gridcaseRules.decisions(text) : decisions();
      ruleDecisions = {};
      select.innerHTML = "";
      found.forEach(function (d) {
        var option = document.createElement("option");
        ruleDecisions[d.id] = d;
        option.value = d.id;
        option.textContent = d.name || d.id;
        select.appendChild(option);
      });
    });
  }

  function ruleView() {
    var view = document.getElementById("rule-view"), out = document.getElementById("rule-result");
    if (!view) {  // the readable answer, above the raw JSON
      view = document.createElement("div");
      view.id = "rule-view";
      view.className = "rule-view";
      view.setAttribute("aria-live", "polite");
      out.parentNode.insertBefore(view, out);
    }
    return view;
  }

  function markRows(ids) {
    document.querySelectorAll("#canvas [data-row-id]").forEach(function (cell) {
      cell.classList.toggle("matched-rule", ids.indexOf(cell.dataset.rowId) >= 0);
    });
  }

  function runRuleTest() {
    var out = document.getElementById("rule-result"), inputs;
    try { inputs = JSON.parse(document.getElementById("rule-inputs").value); }
    catch (err) { out.textContent = String(err); return; }
    return xml().then(function (text) {
      return call("POST", "/rules/evaluate", { dmn: text, decision: document.getElementById("rule-decision").value,
                                               inputs: inputs });
    }).then(function (r) {
      var decision = ruleDecisions[document.getElementById("rule-decision").value];
      out.textContent = JSON.stringify(r.status < 300 ? r.data : r.data.error, null, 2);
      markRows(r.status < 300 ? r.data.matched_rules || [] : []);
      if (window.gridcaseRules && r.status < 300) { window.gridcaseRules.show(ruleView(), r.data, decision); }
      else if (window.gridcaseRules) { window.gridcaseRules.showError(ruleView(), r.data.error); }
    });
  }

  function loadSources() {
    return call("GET", "/processes/sources").then(function (r) {
      (r.data.sources || []).map(function (f) { return f.name; }).forEach(function (name) {
        call("GET", "/processes/sources/" + encodeURIComponent(name)).then(function (f) {
          sources[name] = f.data.content;
        });
        item("source-files", name, function () {
          call("GET", "/processes/sources/" + encodeURIComponent(name)).then(function (f) { open(name, f.data.content); });
        });
      });
    });
  }

  function loadDrafts() {
    document.getElementById("draft-files").innerHTML = "";
    return call("GET", "/drafts").then(function (r) {
      (r.data.drafts || []).forEach(function (d) {
        item("draft-files", d.file_name, function () {
          call("GET", "/drafts/" + encodeURIComponent(d.file_name)).then(function (f) {
            if (/\.json$/.test(d.file_name)) { window.gridcaseForms.edit("forms/" + d.file_name, f.data.content); }
            else { open(d.file_name, f.data.content); }
          });
        });
      });
    });
  }

  function loadVersions() {
    document.getElementById("process-versions").innerHTML = "";
    return call("GET", "/processes").then(function (r) {
      (r.data.processes || []).forEach(function (p) {
        call("GET", "/processes/" + p.process_id + "/versions").then(function (versions) {
          (versions.data.versions || []).forEach(function (v) {
            item("process-versions", p.process_id + " v" + v.number + (v.comment ? " · " + v.comment : ""), function () {
              call("GET", "/processes/" + p.process_id + "/versions/" + v.number).then(function (full) {
                var names = Object.keys(full.data.sources || {}).filter(function (n) { return /\.bpmn(20\.xml)?$/.test(n); });
                if (names.length) { open(names[0], full.data.sources[names[0]]); }
              });
            });
          });
        });
      });
    });
  }

  // "#deployed=<process>/<number>/<file>" (the admin's routing page links so): open that file of a deployed version.
  function openFromHash() {
    var found = /^#deployed=([^/]+)\/(\d+)\/(.+)$/.exec(location.hash || "");
    if (!found) { return; }
    var name = decodeURIComponent(found[3]);
    call("GET", "/processes/" + found[1] + "/versions/" + found[2]).then(function (full) {
      var text = (full.data.sources || {})[name];
      if (text) { open(name, text); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("designer");
    if (!root || !window.BpmnJS) { return; }
    api = root.dataset.api;
    document.getElementById("save-draft").addEventListener("click", saveDraft);
    document.getElementById("validate").addEventListener("click", validate);
    document.getElementById("deploy").addEventListener("click", deploy);
    document.getElementById("rule-run").addEventListener("click", runRuleTest);
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = root.dataset.unsaved; }
    });
    window.gridcaseDesigner = { open: open, validate: validate, deploy: deploy, saveDraft: saveDraft, focus: focus,
                                modeler: function () { return modeler; } };
    loadSources();
    loadDrafts();
    loadVersions();
    openFromHash();
  });
}());
