/* The properties panel's sections for what the engine runs beyond people's tasks (docs/workers.md, docs/engine.md
   "Events"): a service task's topic, retries and connector (the http connector's call); the error, signal or
   escalation an event throws or catches, picked by name or created; the starter groups of the process (shown when
   nothing is selected, or on its participant). Every value is a spiffworkflow:property, a BPMN attribute or a
   root element, so a designer never needs an XML editor. Built on window.gridcasePanel (properties.js). */
(function () {
  "use strict";

  var panelKit = window.gridcasePanel;
  Object.assign(panelKit.labels, {
    topic: "主题", retries: "重试次数", retryBackoff: "重试间隔", connector: "连接器", httpUrl: "URL",
    httpMethod: "HTTP 方法", httpBody: "请求体 (表达式)", httpResult: "结果变量", httpTimeout: "超时 (秒)",
    error: "错误", errorCode: "错误码", signal: "信号", escalation: "升级", escalationCode: "升级码",
    candidateStarterGroups: "发起人组", processName: "流程名称" });
  var METHODS = [["GET", "读取"], ["POST", "新建"], ["PUT", "替换"], ["PATCH", "修改"], ["DELETE", "删除"]];
  var HINTS = { retries: "3", retryBackoff: "PT5M", httpUrl: "https://host/api/cases/{case_no}",
                httpBody: '{"case": case_no}', httpResult: "http_response", httpTimeout: "10",
                candidateStarterGroups: "seat_operator, shift_lead" };
  // What each kind of event refers to: definition type, its reference, the root element type, its code attribute.
  var REFERENCES = [
    { key: "error", definition: "bpmn:ErrorEventDefinition", ref: "errorRef", type: "bpmn:Error", code: "errorCode" },
    { key: "signal", definition: "bpmn:SignalEventDefinition", ref: "signalRef", type: "bpmn:Signal", code: null },
    { key: "escalation", definition: "bpmn:EscalationEventDefinition", ref: "escalationRef", type: "bpmn:Escalation",
      code: "escalationCode" }];

  function hinted(input, key) {
    if (HINTS[key]) { input.placeholder = HINTS[key]; }
    return input;
  }

  function propertyField(panel, modeler, bo, key, multiline) {
    return hinted(panelKit.field(panel, key, panelKit.property(bo, key), function (v) {
      panelKit.setProperty(modeler, bo, key, v.trim() ? v : "");
    }, multiline), key);
  }

  // A Camunda attribute the model already has (camunda:topic, camunda:candidateStarterGroups): its $attrs key.
  function vendorAttribute(bo, name) {
    return Object.keys(bo.$attrs || {}).filter(function (key) {
      return key.indexOf(":") > 0 && key.split(":")[1] === name && key.indexOf("xmlns") !== 0;
    })[0];
  }

  // The value edited where the model keeps it: the vendor attribute if there is one, else gridcase's property.
  function vendorOrProperty(panel, modeler, bo, key) {
    var attribute = vendorAttribute(bo, key);
    if (!attribute) { return propertyField(panel, modeler, bo, key); }
    var input = panelKit.field(panel, key, bo.$attrs[attribute], function (v) {
      bo.$attrs[attribute] = v;
      modeler.get("commandStack").execute("element.updateProperties", {
        element: panelKit.shapeOf(modeler, bo), properties: {} });
    });
    input.title = attribute;
    return hinted(input, key);
  }

  function serviceTask(panel, modeler, element, redraw) {
    if (element.type !== "bpmn:ServiceTask") { return; }
    var bo = element.businessObject, connector = panelKit.property(bo, "connector");
    panelKit.choice(panel, "connector", connector, [["http", "HTTP 调用: 调度器调用 URL (the scheduler calls a URL)"]],
      function (v) { panelKit.setProperty(modeler, bo, "connector", v); redraw(); },
      "外部 worker (external worker)");
    if (!connector) { vendorOrProperty(panel, modeler, bo, "topic"); }
    propertyField(panel, modeler, bo, "retries").inputMode = "numeric";
    propertyField(panel, modeler, bo, "retryBackoff");
    if (connector !== "http") { return; }
    propertyField(panel, modeler, bo, "httpUrl");
    panelKit.choice(panel, "httpMethod", panelKit.property(bo, "httpMethod"), METHODS, function (v) {
      panelKit.setProperty(modeler, bo, "httpMethod", v);
    }, "GET (默认 default)");
    propertyField(panel, modeler, bo, "httpBody", true).rows = 3;
    propertyField(panel, modeler, bo, "httpResult");
    propertyField(panel, modeler, bo, "httpTimeout").inputMode = "numeric";
  }

  function uniqueId(modeler, prefix, name) {
    var base = prefix + "_" + (name.replace(/[^A-Za-z0-9_]/g, "_") || "1"), id = base, n = 1;
    var taken = function (candidate) {
      return modeler.get("elementRegistry").get(candidate) || modeler.getDefinitions().rootElements.some(function (r) {
        return r.id === candidate; });
    };
    while (taken(id)) { n += 1; id = base + "_" + n; }
    return id;
  }

  function rootsOf(modeler, type) {
    return modeler.getDefinitions().rootElements.filter(function (r) { return r.$type === type; });
  }

  // A name field with the existing root elements of ``spec.type`` to pick from; a new name creates one.
  function referenceField(panel, modeler, element, definition, spec, redraw) {
    var current = definition[spec.ref], listId = "choices-" + spec.key;
    var input = panelKit.field(panel, spec.key, current ? current.name : "", function (value) {
      var name = value.trim(), found = rootsOf(modeler, spec.type).filter(function (r) { return r.name === name; })[0];
      if (!found && name) {
        var props = { id: uniqueId(modeler, spec.key, name), name: name };
        if (spec.code) { props[spec.code] = name; }  // a new error's code starts as its name: edit it below
        found = modeler.get("moddle").create(spec.type, props);
        modeler.getDefinitions().rootElements.push(found);
      }
      var update = {};
      update[spec.ref] = found || undefined;
      modeler.get("modeling").updateModdleProperties(element, definition, update);
      redraw();
    });
    var list = document.createElement("datalist");
    list.id = listId;
    rootsOf(modeler, spec.type).forEach(function (r) {
      var option = document.createElement("option");
      option.value = r.name || "";
      option.label = spec.code && r[spec.code] ? r.name + " (" + r[spec.code] + ")" : r.name;
      list.appendChild(option);
    });
    input.setAttribute("list", listId);
    input.placeholder = spec.key === "signal" ? "广播名 name" : "名称 name (空: 捕获全部 empty: catch all)";
    panel.appendChild(list);
    if (spec.code && current) { codeField(panel, modeler, element, current, spec); }
  }

  function codeField(panel, modeler, element, root, spec) {
    panelKit.field(panel, spec.code, root[spec.code], function (value) {
      var update = {};
      update[spec.code] = value.trim() || undefined;
      modeler.get("modeling").updateModdleProperties(element, root, update);
    });
  }

  function eventReferences(panel, modeler, element, redraw) {
    (element.businessObject.eventDefinitions || []).forEach(function (definition) {
      REFERENCES.filter(function (spec) { return spec.definition === definition.$type; }).forEach(function (spec) {
        referenceField(panel, modeler, element, definition, spec, redraw);
      });
    });
  }

  function processSection(panel, modeler, element) {
    var bo = element.type === "bpmn:Participant" ? element.businessObject.processRef : element.businessObject;
    if (!bo || bo.$type !== "bpmn:Process") { return; }
    panelKit.field(panel, "processName", bo.name, function (v) {
      modeler.get("modeling").updateModdleProperties(panelKit.shapeOf(modeler, bo), bo, { name: v });
    });
    vendorOrProperty(panel, modeler, bo, "candidateStarterGroups");
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = "逗号分隔；这些组的用户可在“发起流程”页发起 (comma-separated: these groups start it on /start)";
    panel.appendChild(hint);
  }

  panelKit.sections.push(serviceTask, eventReferences, processSection);
}());
