/* The designer's task forms: the forms the open BPMN's tasks name (form property), each editable as JSON text,
   saved as a draft (PUT /drafts/<name>.json, refused unless a valid form), validated (POST /processes/validate
   with forms/<name>.json) and deployed with the BPMN (the designer adds every form opened here to the deploy). */
(function () {
  "use strict";

  var root, call, edited = {}, current = null;

  function el(id) { return document.getElementById(id); }

  function say(text, bad) {
    var out = el("form-status");
    out.textContent = text;
    out.className = bad ? "field-error" : "ok";
  }

  function draftName(reference) { return reference.replace(/^forms\//, ""); }

  function references(xml) {
    var found = {}, pattern = /<[\w:]*property\s+name="(?:form|formKey)"\s+value="([^"]+)"/g, match;
    while ((match = pattern.exec(xml || "")) !== null) { found[match[1]] = true; }
    return Object.keys(found).sort();
  }

  function edit(reference, text) {
    current = reference;
    edited[reference] = text;
    el("form-name").textContent = reference;
    el("form-text").value = text;
    el("form-editor").hidden = false;
    say("");
  }

  function load(reference) {
    // the designer's draft first, else the file of workflows/forms
    return call("GET", "/drafts/" + encodeURIComponent(draftName(reference))).then(function (r) {
      if (r.status < 300) { return r.data.content; }
      return call("GET", "/processes/forms/" + encodeURIComponent(draftName(reference))).then(function (f) {
        return f.status < 300 ? f.data.content : "{\n  \"type\": \"object\",\n  \"properties\": {}\n}\n";
      });
    }).then(function (text) { edit(reference, edited[reference] !== undefined ? edited[reference] : text); });
  }

  function list(xml) {
    var ul = el("form-files");
    ul.innerHTML = "";
    references(xml).forEach(function (reference) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#";
      a.textContent = reference;
      a.dataset.form = reference;
      a.addEventListener("click", function (e) { e.preventDefault(); load(reference); });
      li.appendChild(a);
      ul.appendChild(li);
    });
  }

  function text() {
    if (current) { edited[current] = el("form-text").value; }
    return current ? edited[current] : null;
  }

  function save() {
    var content = text();
    if (content === null) { return Promise.resolve(); }
    return call("PUT", "/drafts/" + encodeURIComponent(draftName(current)), { content: content }).then(function (r) {
      if (r.status < 300) { say(root.dataset.saved); } else { say(r.data.error.message, true); }
    });
  }

  function validate() {
    var content = text(), files = {};
    if (content === null) { return Promise.resolve(); }
    files[current] = content;
    return call("POST", "/processes/validate", { files: files }).then(function (r) {
      var problems = (r.data && r.data.problems) || [];
      if (r.status >= 300) { say(r.data.error.message, true); return; }
      say(problems.length ? problems.map(function (p) { return p.message; }).join("; ") : root.dataset.valid,
          problems.length > 0);
    });
  }

  function files() {
    text();
    var out = {};
    Object.keys(edited).forEach(function (reference) { out[reference] = edited[reference]; });
    return out;
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = el("designer");
    if (!root || !el("form-editor")) { return; }
    call = function (method, path, body) {
      var options = { method: method, credentials: "same-origin",
                      headers: { "X-CSRF-Token": (document.querySelector('meta[name="csrf-token"]') || {}).content || "" } };
      if (body !== undefined) {
        options.headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
      return fetch(root.dataset.api + path, options).then(function (r) {
        return r.json().then(function (data) { return { status: r.status, data: data }; });
      });
    };
    el("form-save").addEventListener("click", save);
    el("form-validate").addEventListener("click", validate);
    window.gridcaseForms = { list: list, edit: edit, load: load, files: files, save: save, validate: validate };
  });
}());
