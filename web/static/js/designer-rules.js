/* The designer's rule test panel, its readable half: which decisions a DMN file offers (every decision and
   decision service, whatever its kind, read from the XML: dmn-js has views for tables and literal expressions
   only), and the answer of POST /api/v1/rules/evaluate shown as what it is — a number, a date, a context as a
   table of its entries, a list, a list of contexts as a table — with the rules a table matched and the
   evaluation's messages. The raw JSON stays in #rule-result below it. */
(function () {
  "use strict";

  var DMN_ELEMENTS = ["decision", "decisionService"];

  function label(zh, en) { return zh + " " + en; }

  /* [{id, name, kind}] of the DMN text's decisions and decision services, in document order. */
  function decisions(text) {
    var doc = new DOMParser().parseFromString(text || "", "application/xml");
    var found = [];
    Array.prototype.forEach.call(doc.getElementsByTagName("*"), function (el) {
      if (DMN_ELEMENTS.indexOf(el.localName) >= 0 && el.getAttribute("id")) {
        found.push({ id: el.getAttribute("id"), name: el.getAttribute("name") || el.getAttribute("id"),
                     kind: el.localName === "decisionService" ? "service" : kindOf(el) });
      }
    });
    return found;
  }

  function kindOf(decision) {
    var child = Array.prototype.find.call(decision.children, function (c) {
      return ["decisionTable", "literalExpression", "context", "invocation", "list", "relation",
              "functionDefinition", "conditional", "filter", "for", "some", "every"].indexOf(c.localName) >= 0;
    });
    return child ? child.localName : "decision";
  }

  function typeOf(value) {
    if (value === null || value === undefined) { return "null"; }
    if (Array.isArray(value)) { return "list"; }
    if (typeof value === "object") { return "context"; }
    if (typeof value === "string" && /^-?P(\d|T\d)/.test(value)) { return "duration"; }
    if (typeof value === "string" && /^-?\d{4,9}-\d\d-\d\dT\d\d:\d\d/.test(value)) { return "date and time"; }
    if (typeof value === "string" && /^-?\d{4,9}-\d\d-\d\d$/.test(value)) { return "date"; }
    if (typeof value === "string" && /^\d\d:\d\d:\d\d/.test(value)) { return "time"; }
    return typeof value;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function scalar(value) {
    var kind = typeOf(value);
    var out = element("span", "rule-value rule-" + kind.replace(/ /g, "-"),
                      value === null || value === undefined ? "null" : String(value));
    out.dataset.type = kind;
    return out;
  }

  function sameKeys(list) {
    if (!list.length || !list.every(function (v) { return typeOf(v) === "context"; })) { return null; }
    var keys = Object.keys(list[0]);
    return list.every(function (v) { return Object.keys(v).join("\u0000") === keys.join("\u0000"); }) ? keys : null;
  }

  /* A value as HTML: a context as a two-column table, a list of like contexts as a table, a list as a list. */
  function render(value, depth) {
    var kind = typeOf(value), table, keys;
    if (depth > 20) { return scalar(JSON.stringify(value)); }
    if (kind === "context") {
      table = element("table", "rule-context");
      Object.keys(value).forEach(function (key) {
        var row = table.insertRow(), name = element("th", "", key), cell = row.insertCell();
        name.scope = "row";
        row.appendChild(name);
        row.appendChild(cell);
        cell.appendChild(render(value[key], depth + 1));
      });
      return table;
    }
    if (kind === "list" && (keys = sameKeys(value)) !== null) {
      table = element("table", "rule-relation");
      var head = table.createTHead().insertRow();
      keys.forEach(function (key) { head.appendChild(element("th", "", key)); });
      value.forEach(function (row) {
        var tr = table.insertRow();
        keys.forEach(function (key) { tr.insertCell().appendChild(render(row[key], depth + 1)); });
      });
      return table;
    }
    if (kind === "list") {
      var list = element("ol", "rule-list");
      value.forEach(function (item) {
        var li = element("li");
        li.appendChild(render(item, depth + 1));
        list.appendChild(li);
      });
      return list;
    }
    return scalar(value);
  }

  /* Show the panel's answer in ``view``: the result by its type, the matched rules, the messages. */
  function show(view, data, decision) {
    view.innerHTML = "";
    var result = data.result !== undefined ? data.result : data.value;
    var kind = data.kind || (decision && decision.kind) || "";  // the server's word (decisionTable, context…)
    var heading = element("p", "rule-result-kind", label("结果", "Result") + " (" +
                          (kind ? kind + ", " : "") + typeOf(result) + ")");
    view.appendChild(heading);
    view.appendChild(render(result, 0));
    var matched = data.matched_rules || [];
    if (matched.length || kind === "decisionTable") {
      view.appendChild(element("p", "rule-matched",
                               label("匹配的规则", "Matched rules") + ": " + (matched.join(", ") || "—")));
    }
    (data.messages || []).forEach(function (message) { view.appendChild(element("p", "field-error", message)); });
  }

  function showError(view, error) {
    view.innerHTML = "";
    view.appendChild(element("p", "field-error", typeof error === "string" ? error
                                                 : (error && error.message) || JSON.stringify(error)));
  }

  window.gridcaseRules = { decisions: decisions, show: show, showError: showError, typeOf: typeOf };
}());
