/* Assessment pages' small scripts: the start-a-round form (POST /api/v1/assessment/rounds with the session; the
   refusal's message shown, the new round's page opened) and the report's print button. No inline scripts (CSP). */
(function () {
  "use strict";

  function startForm(form) {
    var error = document.getElementById("start-round-error"), done = document.getElementById("start-round-done");
    var texts = JSON.parse(form.dataset.texts || "{}");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      window.gridcasePost.postJson(form.dataset.api, { scheme: form.elements.scheme.value })
        .then(function (body) {
          done.hidden = false;
          done.textContent = (texts.started || "") + " " + (body.period || "");
          if (body.round_id) { window.location.href = form.dataset.round.replace(/0$/, String(body.round_id)); }
          else { window.location.reload(); }
        })
        .catch(function (err) {
          error.hidden = false;
          error.textContent = (texts.failed || "") + ": " + err.message;
          button.disabled = false;
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("start-round");
    if (form) { startForm(form); }
    var print = document.getElementById("print-report");
    if (print) { print.addEventListener("click", function () { window.print(); }); }
  });
}());
