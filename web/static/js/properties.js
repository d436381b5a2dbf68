/* gridcase's properties panel: what the engine executes, edited on the selected element.
   Names, candidate groups (or the lane), forms, the deadline timer, the milestone, scripts, timers, conditions,
   decisions, messages and correlation. Plain DOM, bound to bpmn-js's selection and modeling services. */
(function () {
  "use strict";

  var PROPERTY_KEYS = { "bpmn:UserTask": ["candidateGroups", "form", "dueTimer"], "bpmn:ManualTask": ["candidateGroups"],
                        "bpmn:IntermediateCatchEvent": ["correlateOn"], "bpmn:ReceiveTask": ["correlateOn"] };
  var TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];
  var TASKS = ["bpmn:UserTask", "bpmn:ManualTask", "bpmn:ScriptTask", "bpmn:BusinessRuleTask", "bpmn:Task",
               "bpmn:SendTask", "bpmn:ReceiveTask", "bpmn:CallActivity"];
  var HUMAN_TASKS = ["bpmn:UserTask", "bpmn:ManualTask"];

  // The milestones the city domain reads (engine/domain/milestones.py), as the page states them:
  // [[name, label, needs a person's task], …]. Facts, KPIs and the replay find a lifecycle's steps by these.
  function milestones() {
    var host = document.getElementById("designer");
    try { return JSON.parse((host && host.dataset.milestones) || "[]"); } catch (err) { return []; }
  }

  function extension(bo, type) {
    var ext = bo.extensionElements;
    return ext ? (ext.values || []).filter(function (v) { return v.$type === type; })[0] : null;
  }

  function property(bo, name) {
    var props = extension(bo, "spiffworkflow:Properties");
    var found = props ? (props.properties || []).filter(function (p) { return p.name === name; })[0] : null;
    return found ? found.value : "";
  }

  function ensureExtension(modeler, bo, type) {
    var moddle = modeler.get("moddle"), modeling = modeler.get("modeling"), element = modeler.get("elementRegistry").get(bo.id);
    var ext = bo.extensionElements || moddle.create("bpmn:ExtensionElements", { values: [] });
    var found = extension(bo, type);
    if (!found) {
      found = moddle.create(type, type === "spiffworkflow:Properties" ? { properties: [] } : {});
      ext.get("values").push(found);
    }
    modeling.updateProperties(element, { extensionElements: ext });
    return found;
  }

  function setProperty(modeler, bo, name, value) {
    var props = ensureExtension(modeler, bo, "spiffworkflow:Properties");
    var list = props.get("properties"), found = list.filter(function (p) { return p.name === name; })[0];
    if (!value) { if (found) { list.splice(list.indexOf(found), 1); } }
    else if (found) { found.value = value; }
    else { list.push(modeler.get("moddle").create("spiffworkflow:Property", { name: name, value: value })); }
    modeler.get("commandStack").execute("element.updateProperties", {
      element: modeler.get("elementRegistry").get(bo.id), properties: {} });
  }

  function field(panel, label, value, onChange, multiline) {
    var wrap = document.createElement("label"), input = document.createElement(multiline ? "textarea" : "input");
    wrap.className = "prop";
    wrap.textContent = label;
    input.value = value || "";
    input.dataset.prop = label;
    if (multiline) { input.rows = 6; }
    input.addEventListener("change", function () { onChange(input.value); });
    wrap.appendChild(input);
    panel.appendChild(wrap);
    return input;
  }

  function choice(panel, label, value, options, onChange) {
    var wrap = document.createElement("label"), select = document.createElement("select");
    wrap.className = "prop";
    wrap.textContent = label;
    select.dataset.prop = label;
    [["", "—"]].concat(options).forEach(function (option) {
      var item = document.createElement("option");
      item.value = option[0];
      item.textContent = option[0] ? option[0] + " · " + option[1] : option[1];
      select.appendChild(item);
    });
    if (value && !options.some(function (o) { return o[0] === value; })) {  // keep an unknown value visible: lint names it
      var unknown = document.createElement("option");
      unknown.value = unknown.textContent = value;
      select.appendChild(unknown);
    }
    select.value = value || "";
    select.addEventListener("change", function () { onChange(select.value); });
    wrap.appendChild(select);
    panel.appendChild(wrap);
    return select;
  }

  function milestoneField(panel, modeler, element) {
    if (TASKS.indexOf(element.type) < 0) { return; }
    var human = HUMAN_TASKS.indexOf(element.type) >= 0, bo = element.businessObject;
    var options = milestones().filter(function (m) { return human || !m[2]; });
    choice(panel, "milestone", property(bo, "milestone"), options, function (v) {
      setProperty(modeler, bo, "milestone", v);
    });
  }

  function timerFields(panel, modeler, element) {
    var definition = (element.businessObject.eventDefinitions || []).filter(function (d) {
      return d.$type === "bpmn:TimerEventDefinition"; })[0];
    if (!definition) { return; }
    var kind = TIMER_KINDS.filter(function (k) { return definition[k]; })[0] || "timeDuration";
    var expression = definition[kind] ? definition[kind].body : "";
    var input = field(panel, "timer (" + kind + ")", expression, function (value) {
      var formal = modeler.get("moddle").create("bpmn:FormalExpression", { body: value });
      var props = {};
      props[kind] = formal;
      modeler.get("modeling").updateModdleProperties(element, definition, props);
      preview();
    });
    var sample = field(panel, "sample data (JSON)", '{"warn_at": "2026-12-01T02:00:00+00:00"}', preview, true);
    var out = document.createElement("p");
    out.className = "timer-preview";
    out.setAttribute("aria-live", "polite");
    panel.appendChild(out);
    function preview() {
      var data;
      try { data = JSON.parse(sample.value || "{}"); } catch (err) { out.textContent = String(err); return; }
      var meta = document.querySelector('meta[name="csrf-token"]');
      fetch("/api/v1/processes/timer-preview", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": meta ? meta.content : "" },
        body: JSON.stringify({ kind: kind, expression: input.value, data: data }) })
        .then(function (r) { return r.json(); })
        .then(function (r) {
          out.textContent = r.error ? "✗ " + r.error.message : "→ " + r.due_at + (r.repeats ? " ×" + r.repeats : "");
          out.className = "timer-preview " + (r.error ? "field-error" : "ok");
        });
    }
    preview();
  }

  function render(panel, modeler, element) {
    panel.innerHTML = "";
    if (!element || element.type === "bpmn:Process" || element.type === "bpmn:Collaboration") { return; }
    var bo = element.businessObject, modeling = modeler.get("modeling");
    var title = document.createElement("h3");
    title.textContent = element.type.replace("bpmn:", "") + " · " + bo.id;
    panel.appendChild(title);
    field(panel, "name", bo.name, function (v) { modeling.updateProperties(element, { name: v }); });
    (PROPERTY_KEYS[element.type] || []).forEach(function (key) {
      field(panel, key, property(bo, key), function (v) { setProperty(modeler, bo, key, v); });
    });
    milestoneField(panel, modeler, element);
    if (element.type === "bpmn:ScriptTask") {
      field(panel, "script", bo.script, function (v) { modeling.updateProperties(element, { script: v }); }, true);
    }
    if (element.type === "bpmn:BusinessRuleTask") {
      var called = extension(bo, "spiffworkflow:CalledDecisionId");
      field(panel, "calledDecisionId", called ? called.value : "", function (v) {
        ensureExtension(modeler, bo, "spiffworkflow:CalledDecisionId").value = v;
        modeling.updateProperties(element, {});
      });
    }
    if (element.type === "bpmn:SequenceFlow") {
      field(panel, "condition", bo.conditionExpression ? bo.conditionExpression.body : "", function (v) {
        var expression = v ? modeler.get("moddle").create("bpmn:FormalExpression", { body: v }) : undefined;
        modeling.updateProperties(element, { conditionExpression: expression });
      });
    }
    timerFields(panel, modeler, element);
    messageField(panel, modeler, element);
  }

  function messageField(panel, modeler, element) {
    var definition = (element.businessObject.eventDefinitions || []).filter(function (d) {
      return d.$type === "bpmn:MessageEventDefinition"; })[0];
    if (!definition) { return; }
    var message = definition.messageRef;
    field(panel, "message", message ? message.name : "", function (value) {
      var moddle = modeler.get("moddle"), definitions = modeler.getDefinitions();
      var found = definitions.rootElements.filter(function (r) { return r.$type === "bpmn:Message" && r.name === value; })[0];
      if (!found && value) {
        found = moddle.create("bpmn:Message", { id: "message_" + value.replace(/[^A-Za-z0-9_]/g, "_"), name: value });
        definitions.rootElements.push(found);
      }
      modeler.get("modeling").updateModdleProperties(element, definition, { messageRef: found });
    });
  }

  window.gridcaseProperties = function (modeler, panel) {
    modeler.on("selection.changed", function (e) { render(panel, modeler, e.newSelection[0]); });
    modeler.on("elements.changed", function (e) {
      var selected = modeler.get("selection").get()[0];
      if (selected && e.elements.indexOf(selected) >= 0 && !panel.contains(document.activeElement)) {
        render(panel, modeler, selected);
      }
    });
  };
}());
