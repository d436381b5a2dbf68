/* gridcase's properties panel: what the engine executes, edited on the selected element.
   Names, candidate groups (or the lane), forms, the deadline timer, the milestone, scripts, timers, conditions,
   decisions, messages and correlation; properties-engine.js adds service tasks, errors, signals, escalations and
   the process's starter groups (window.gridcasePanel: these helpers, and the sections it renders after them).
   Plain DOM, bound to bpmn-js's selection and modeling services. Labels: Chinese, then the property's name;
   each input's data-prop is the property's name. */
(function () {
  "use strict";

  var PROPERTY_KEYS = { "bpmn:UserTask": ["candidateGroups", "form", "dueTimer"], "bpmn:ManualTask": ["candidateGroups"],
                        "bpmn:IntermediateCatchEvent": ["correlateOn"], "bpmn:ReceiveTask": ["correlateOn"] };
  var TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];
  var TASKS = ["bpmn:UserTask", "bpmn:ManualTask", "bpmn:ScriptTask", "bpmn:BusinessRuleTask", "bpmn:Task",
               "bpmn:SendTask", "bpmn:ReceiveTask", "bpmn:CallActivity"];
  var HUMAN_TASKS = ["bpmn:UserTask", "bpmn:ManualTask"];
  var LABELS = { name: "名称", candidateGroups: "候选组", form: "表单", dueTimer: "期限计时器", correlateOn: "关联键",
                 milestone: "里程碑", script: "脚本", calledDecisionId: "决策", condition: "条件", message: "消息",
                 timerKind: "计时类型", timer: "计时表达式", sample: "样例数据 (JSON)" };
  var sections = [];  // more sections, added by other files (properties-engine.js): function (panel, modeler, element, redraw)

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

  // The diagram element whose change events follow an edit of ``bo``: its shape, else the canvas root (a process
  // drawn as a participant has no shape of its own).
  function shapeOf(modeler, bo) {
    return modeler.get("elementRegistry").get(bo.id) || modeler.get("canvas").getRootElement();
  }

  function ensureExtension(modeler, bo, type) {
    var moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
    var ext = bo.extensionElements || moddle.create("bpmn:ExtensionElements", { values: [] });
    var found = extension(bo, type);
    if (!found) {
      found = moddle.create(type, type === "spiffworkflow:Properties" ? { properties: [] } : {});
      ext.get("values").push(found);
    }
    modeling.updateModdleProperties(shapeOf(modeler, bo), bo, { extensionElements: ext });
    return found;
  }

  function setProperty(modeler, bo, name, value) {
    var props = ensureExtension(modeler, bo, "spiffworkflow:Properties");
    var list = props.get("properties"), found = list.filter(function (p) { return p.name === name; })[0];
    if (!value) { if (found) { list.splice(list.indexOf(found), 1); } }
    else if (found) { found.value = value; }
    else { list.push(modeler.get("moddle").create("spiffworkflow:Property", { name: name, value: value })); }
    modeler.get("commandStack").execute("element.updateProperties", { element: shapeOf(modeler, bo), properties: {} });
  }

  function caption(wrap, key) {
    wrap.className = "prop";
    wrap.textContent = LABELS[key] ? LABELS[key] + " · " + key : key;
  }

  function field(panel, key, value, onChange, multiline) {
    var wrap = document.createElement("label"), input = document.createElement(multiline ? "textarea" : "input");
    caption(wrap, key);
    input.value = value || "";
    input.dataset.prop = key;
    if (multiline) { input.rows = 6; }
    input.addEventListener("change", function () { onChange(input.value); });
    wrap.appendChild(input);
    panel.appendChild(wrap);
    return input;
  }

  // ``options``: [[value, label], …]; ``none``: the label of the empty choice ("—" unless given).
  function choice(panel, key, value, options, onChange, none) {
    var wrap = document.createElement("label"), select = document.createElement("select");
    caption(wrap, key);
    select.dataset.prop = key;
    [["", none || "—"]].concat(options).forEach(function (option) {
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

  function timerFields(panel, modeler, element, redraw) {
    var definition = (element.businessObject.eventDefinitions || []).filter(function (d) {
      return d.$type === "bpmn:TimerEventDefinition"; })[0];
    if (!definition) { return; }
    var kind = TIMER_KINDS.filter(function (k) { return definition[k]; })[0] || "timeDuration";
    var kinds = [["timeDate", "日期 date"], ["timeDuration", "时长 duration"], ["timeCycle", "周期 cycle"]];
    choice(panel, "timerKind", kind, kinds, function (chosen) {
      // the expression moves to the chosen kind: a timer holds one of the three
      var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      props[chosen || "timeDuration"] = modeler.get("moddle").create("bpmn:FormalExpression", { body: input.value });
      modeler.get("modeling").updateModdleProperties(element, definition, props);
      redraw();
    });
    var expression = definition[kind] ? definition[kind].body : "";
    var input = field(panel, "timer", expression, function (value) {
      var props = {};
      props[kind] = modeler.get("moddle").create("bpmn:FormalExpression", { body: value });
      modeler.get("modeling").updateModdleProperties(element, definition, props);
      preview();
    });
    input.placeholder = { timeDate: "2027-01-01T08:00:00+08:00", timeDuration: "PT2H",
                          timeCycle: "R/2027-01-01T08:00:00+08:00/P1M" }[kind];
    var sample = field(panel, "sample", '{"warn_at": "2026-12-01T02:00:00+00:00"}', preview, true);
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
          out.textContent = r.error ? "✗ " + r.error.message : previewText(r);
          out.className = "timer-preview " + (r.error ? "field-error" : "ok");
        });
    }
    preview();
  }

  // "→ first due", and for a cycle how often (∞: no end) and its next occurrences from now.
  function previewText(r) {
    var text = "→ " + r.due_at;
    if (r.repeats) { text += " ×" + (r.repeats < 0 ? "∞" : r.repeats); }
    if (r.next && r.next.length) { text += " · 下次 next: " + r.next.join(", "); }
    return text;
  }

  function render(panel, modeler, element) {
    panel.innerHTML = "";
    var redraw = function () { render(panel, modeler, element); };
    var root = modeler.get("canvas").getRootElement();
    if (!element && root) { element = root; }  // nothing selected: the process (its name, who may start it)
    if (!element || !element.type) { return; }  // the root being drawn
    if (element.type === "bpmn:Collaboration") {
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = "选择一个参与者 (泳池) 以编辑其流程 · select a participant to edit its process";
      panel.appendChild(hint);
      return;
    }
    var bo = element.businessObject, modeling = modeler.get("modeling");
    var title = document.createElement("h3");
    title.textContent = element.type.replace("bpmn:", "") + " · " + bo.id;
    panel.appendChild(title);
    if (element.type !== "bpmn:Process" && element.type !== "bpmn:Participant") {
      field(panel, "name", bo.name, function (v) { modeling.updateProperties(element, { name: v }); });
    }
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
    timerFields(panel, modeler, element, redraw);
    messageField(panel, modeler, element);
    sections.forEach(function (section) { section(panel, modeler, element, redraw); });
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

  window.gridcasePanel = { labels: LABELS, sections: sections, extension: extension, property: property,
                           ensureExtension: ensureExtension, setProperty: setProperty, shapeOf: shapeOf,
                           field: field, choice: choice };

  window.gridcaseProperties = function (modeler, panel) {
    modeler.on("selection.changed", function (e) { render(panel, modeler, e.newSelection[0]); });
    modeler.on("import.done", function () { render(panel, modeler, null); });
    modeler.on("elements.changed", function (e) {
      var selected = modeler.get("selection").get()[0];
      if (selected && e.elements.indexOf(selected) >= 0 && !panel.contains(document.activeElement)) {
        render(panel, modeler, selected);
      }
    });
  };
}());
