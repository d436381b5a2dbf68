/* The inspector's phone page (考评检查 / 复查): each item recorded pass, fail (a preset deduction or points) or na
   through POST /api/v1/assessment/inspections/{id}/items; a photo chosen for an item is resized in the browser
   (no side over MAX_SIDE, JPEG) and uploaded to the inspection case first (POST /api/v1/cases/{no}/attachments),
   its digest sent with the item. 完成检查 / 完成复查 completes the visit's task with no form data; while items
   are missing or a required photo is not there the model refuses and its message is shown; done, the page
   reloads (the score, or the re-inspection's items). No inline scripts (CSP). */
(function () {
  "use strict";

  var MAX_SIDE = 1600;  /* a phone photo (4000 px, 3–8 MB) becomes ~300 kB of JPEG */

  function send(url, body, isForm) { return window.gridcasePost.postJson(url, body, isForm, true); }

  function resized(file) { return window.gridcasePost.resizedPhoto(file, MAX_SIDE); }

  function start(root) {
    var api = JSON.parse(root.dataset.api), texts = JSON.parse(root.dataset.texts);

    /* the item's photos: those saved before plus one uploaded now (the chosen file, once) */
    function photos(li) {
      var known = JSON.parse(li.dataset.photos || "[]"), input = li.querySelector(".photo");
      if (!input.files || !input.files.length || li.dataset.uploaded === input.value) { return Promise.resolve(known); }
      li.querySelector(".saved").textContent = texts.uploading;
      return resized(input.files[0]).then(function (blob) {
        var body = new FormData();
        body.append("file", blob, li.dataset.item + ".jpg");
        return send(api.upload, body, true);
      }).then(function (stored) {
        if (known.indexOf(stored.sha256) < 0) { known.push(stored.sha256); }
        li.dataset.photos = JSON.stringify(known);
        li.dataset.uploaded = input.value;
        return known;
      });
    }

    function save(li, result) {
      var error = li.querySelector(".field-error"), status = li.querySelector(".saved");
      error.hidden = true;
      var body = { item_code: li.dataset.item, result: result };
      var note = li.querySelector(".note").value.trim();
      if (note) { body.note = note; }
      if (result === "fail") {
        var preset = li.querySelector(".deduction-code");
        if (preset && preset.value) { body.deduction_code = preset.value; }
        else { body.deduction = Number(li.querySelector(".deduction").value); }
      }
      return photos(li).then(function (digests) {
        body.photos = digests;
        status.textContent = texts.saving;
        return send(api.items, body);
      }).then(function () {
        li.dataset.result = result;
        li.dataset.saved = String(JSON.parse(li.dataset.photos || "[]").length ? "photo" : "1");
        li.className = li.className.replace(/ result-\w+/g, "") + " result-" + result;
        li.querySelectorAll(".choose").forEach(function (b) {
          b.setAttribute("aria-pressed", b.dataset.result === result ? "true" : "false");
        });
        var count = JSON.parse(li.dataset.photos || "[]").length;
        status.textContent = texts.saved + " · " + texts[result] + (count ? " · " + count : "");
      }).catch(function (err) {
        status.textContent = "";
        error.hidden = false;
        error.textContent = texts.failed + ": " + err.message;
      });
    }

    root.addEventListener("click", function (event) {
      var button = event.target.closest("button"), li = button && button.closest(".inspect-item");
      if (!li) { return; }
      var details = li.querySelector(".fail-details");
      if (button.classList.contains("choose")) {
        details.hidden = button.dataset.result !== "fail";
        if (button.dataset.result !== "fail") { save(li, button.dataset.result); }
      }
      if (button.classList.contains("save-fail")) { save(li, "fail"); }
    });
    root.addEventListener("change", function (event) {
      if (event.target.classList.contains("deduction-code")) {
        var points = event.target.closest(".inspect-item").querySelector(".points");
        points.hidden = Boolean(event.target.value);
      }
      if (event.target.classList.contains("photo")) {
        var li = event.target.closest(".inspect-item");
        li.querySelector(".saved").textContent = texts.photo_added;
        if (li.dataset.result) { save(li, li.dataset.result); }  /* a saved item keeps its result, gains the photo */
      }
    });

    var finish = document.getElementById("finish-inspection"), errorBox = document.getElementById("inspect-error");
    if (finish) {
      finish.addEventListener("click", function () {
        errorBox.hidden = true;
        finish.disabled = true;
        send(finish.dataset.complete, { data: {} }).then(function () {
          finish.textContent = texts.finished;
          window.location.reload();
        }).catch(function (err) {
          errorBox.hidden = false;
          errorBox.textContent = texts.refused + ": " + err.message;
          finish.disabled = false;
        });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("inspect");
    if (root) { start(root); }
  });
}());
