// gridcase pages: the CSRF header for htmx, photo uploads, the subtype search. No inline scripts (CSP).
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

// Every htmx request carries the session's CSRF token.
document.addEventListener("htmx:configRequest", function (event) {
  const token = csrfToken();
  if (token) {
    event.detail.headers["X-CSRF-Token"] = token;
  }
});

// Photos: upload each chosen file to the case's attachments, keep the returned sha256 values in the hidden input.
function addHash(hidden, digest) {
  const hashes = hidden.value.split(/[\s,;]+/).filter(Boolean);
  if (!hashes.includes(digest)) {
    hashes.push(digest);
  }
  hidden.value = hashes.join(" ");
}

function uploadOne(input, hidden, list, file) {
  const item = document.createElement("li");
  item.textContent = file.name + " …";
  list.appendChild(item);
  const body = new FormData();
  body.append("file", file, file.name);
  return fetch(input.dataset.uploadUrl, {
    method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() },
  }).then(function (response) {
    return response.json().then(function (json) {
      if (!response.ok) {
        throw new Error((json.error && json.error.message) || response.statusText);
      }
      addHash(hidden, json.sha256);
      item.textContent = file.name + " ✓";
      item.className = "uploaded";
    });
  }).catch(function (error) {
    item.textContent = file.name + " ✗ " + error.message;
    item.className = "failed";
  });
}

function bindUploads(root) {
  root.querySelectorAll("input.photo-upload").forEach(function (input) {
    if (input.dataset.bound) {
      return;
    }
    input.dataset.bound = "1";
    input.addEventListener("change", function () {
      const hidden = document.getElementById(input.dataset.target);
      const list = document.querySelector('ul.uploads[data-for="' + input.dataset.target + '"]');
      const form = input.form;
      const submit = form ? form.querySelector('button[type="submit"]') : null;
      if (submit) {
        submit.disabled = true;
      }
      Promise.all(Array.from(input.files).map(function (file) {
        return uploadOne(input, hidden, list, file);
      })).finally(function () {
        input.value = "";
        if (submit) {
          submit.disabled = false;
        }
      });
    });
  });
}

// The subtype picker: the search box hides options (and empty groups) that do not match.
function bindSubtypeSearch(root) {
  root.querySelectorAll("input[data-filters]").forEach(function (search) {
    const select = document.getElementById(search.dataset.filters);
    if (!select) {
      return;
    }
    search.addEventListener("input", function () {
      const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      select.querySelectorAll("optgroup").forEach(function (group) {
        let shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          const text = (group.label + " " + option.textContent).toLowerCase();
          const match = words.every(function (word) { return text.includes(word); });
          option.hidden = !match;
          shown += match ? 1 : 0;
        });
        group.hidden = shown === 0;
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  bindUploads(document);
  bindSubtypeSearch(document);
});

// A form marked data-submit-once (作废为重复 void as duplicate): its buttons are disabled once it is sent, so a double
// click sends one request (the command is idempotent as well).
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-submit-once")) {
    window.setTimeout(function () {
      form.querySelectorAll('button[type="submit"]').forEach(function (button) { button.disabled = true; });
    }, 0);
  }
});
