/* 市民随手拍, the citizen's report page (no account): photos resized in the browser (post-json.js resizedPhoto),
   the place from the phone or a tap on the map, the subtype by picture or search, the phone confirmed by a code,
   then one multipart post. Refusals are shown next to the field the answer names; a 429 shows the wait. The
   service worker (/citizen/sw.js) caches the page's shell for an offline start. No inline scripts (CSP). */
(function () {
  "use strict";
  var MAX_PHOTOS = 3, CENTRE = [24.513, 117.647];
  var form, photos = [], ticket = null, catalogue = [];

  function $(id) { return document.getElementById(id); }
  function text(template, seconds) { return template.replace("{s}", String(seconds)); }

  function clearErrors() {
    form.parentNode.querySelectorAll(".field-error").forEach(function (p) { p.textContent = ""; });
  }

  function showError(status, json, retryAfter) {
    var err = (json && json.error) || {}, fields = err.fields || {}, names = Object.keys(fields);
    if (status === 429 && retryAfter) {
      var target = form.querySelector(".field-error[data-for='" + (names[0] || "_form") + "']") || $("form-error");
      target.textContent = text(form.dataset.wait, retryAfter);
      return;
    }
    if (!names.length) { $("form-error").textContent = err.message || ("HTTP " + status); return; }
    names.forEach(function (name) {
      var place = form.querySelector(".field-error[data-for='" + name + "']") || $("form-error");
      place.textContent = fields[name];
    });
  }

  function post(url, body) {
    var isForm = body instanceof FormData;
    var headers = { "X-CSRF-Token": form.dataset.csrf, "Accept": "application/json" };
    if (!isForm) { headers["Content-Type"] = "application/json"; }
    clearErrors();
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers,
                        body: isForm ? body : JSON.stringify(body) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) {
          showError(r.status, json, r.headers.get("Retry-After"));
          throw new Error("refused");
        }
        return json;
      });
    });
  }

  function addPhotos(files) {
    Array.prototype.slice.call(files, 0, MAX_PHOTOS - photos.length).forEach(function (file) {
      window.gridcasePost.resizedPhoto(file, Number(form.dataset.photoSide) || 1600).then(function (blob) {
        if (photos.length >= MAX_PHOTOS) { return; }
        photos.push(blob);
        var img = document.createElement("img");
        img.src = URL.createObjectURL(blob);
        img.alt = file.name;
        img.className = "preview";
        img.addEventListener("click", function () {  // a tap removes the photo
          photos.splice(photos.indexOf(blob), 1);
          img.remove();
        });
        $("previews").appendChild(img);
      });
    });
  }

  function place(lon, lat, message) {
    $("lon").value = lon.toFixed(6);
    $("lat").value = lat.toFixed(6);
    $("place-status").textContent = message;
    $("place-status").setAttribute("data-located", "1");
  }

  function setUpMap() {
    var box = $("place-map"), marker = null;
    if (!window.L) { return; }
    var map = L.map(box).setView(CENTRE, 14);
    if (form.dataset.tiles) { L.tileLayer(form.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    function mark(at) {
      if (marker) { marker.setLatLng(at); } else { marker = L.circleMarker(at, { radius: 9, color: "#0f766e", fillOpacity: 0.8 }).addTo(map); }
    }
    map.on("click", function (event) { mark(event.latlng); place(event.latlng.lng, event.latlng.lat, form.dataset.tapped); });
    $("locate").addEventListener("click", function () {
      if (!navigator.geolocation) { $("place-status").textContent = form.dataset.noPosition; return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        var at = L.latLng(pos.coords.latitude, pos.coords.longitude);
        mark(at);
        map.setView(at, 16);
        place(pos.coords.longitude, pos.coords.latitude, form.dataset.located);
      }, function () { $("place-status").textContent = form.dataset.noPosition; },
      { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  function choose(subtype) {
    $("subtype_code").value = subtype.code;
    $("chosen").textContent = subtype.code + " " + subtype.name;
    $("chosen").setAttribute("data-code", subtype.code);
  }

  function listSubtypes(subtypes) {
    var list = $("subtypes");
    list.innerHTML = "";
    subtypes.forEach(function (s) {
      var li = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.className = "subtype";
      button.setAttribute("data-code", s.code);
      button.textContent = s.name + " · " + s.code;
      button.addEventListener("click", function () { choose(s); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function showClasses() {
    var grid = $("classes");
    catalogue.forEach(function (group) {
      var button = document.createElement("button"), img = document.createElement("img");
      button.type = "button";
      button.className = "major";
      button.setAttribute("data-major", group.code);
      img.src = group.icon;
      img.alt = "";
      button.appendChild(img);
      button.appendChild(document.createTextNode(group.name));
      button.addEventListener("click", function () {
        grid.querySelectorAll(".major").forEach(function (b) { b.classList.remove("picked"); });
        button.classList.add("picked");
        listSubtypes(group.subtypes);
      });
      grid.appendChild(button);
    });
    $("subtype-search").addEventListener("input", function (event) {
      var wanted = event.target.value.trim().toLowerCase();
      if (!wanted) { $("subtypes").innerHTML = ""; return; }
      var found = [];
      catalogue.forEach(function (g) {
        g.subtypes.forEach(function (s) {
          var haystack = (s.code + " " + s.name_zh + " " + (s.name_en || "")).toLowerCase();
          if (haystack.indexOf(wanted) >= 0) { found.push(s); }
        });
      });
      listSubtypes(found.slice(0, 30));
    });
  }

  function countdown(button, seconds) {
    var label = button.textContent;
    button.disabled = true;
    var timer = setInterval(function () {
      seconds -= 1;
      button.textContent = text(form.dataset.resend, seconds);
      if (seconds <= 0) { clearInterval(timer); button.disabled = false; button.textContent = label; }
    }, 1000);
    button.textContent = text(form.dataset.resend, seconds);
  }

  function setUpPhone() {
    $("send-code").addEventListener("click", function () {
      post(form.dataset.codeUrl, { phone: $("phone").value }).then(function (json) {
        $("phone-status").textContent = form.dataset.sent;
        countdown($("send-code"), json.resend_after || 60);
      }).catch(function () {});
    });
    $("confirm-code").addEventListener("click", function () {
      post(form.dataset.confirmUrl, { phone: $("phone").value, code: $("code").value }).then(function (json) {
        ticket = json.ticket;
        $("phone-status").textContent = form.dataset.confirmed;
        $("phone-status").setAttribute("data-confirmed", "1");
        $("submit-report").disabled = false;
      }).catch(function () {});
    });
    form.querySelectorAll("input[name=updates]").forEach(function (radio) {
      radio.addEventListener("change", function () { $("email").hidden = radio.value !== "email" || !radio.checked; });
    });
  }

  function submit(event) {
    event.preventDefault();
    var body = new FormData();
    ["phone", "lon", "lat", "subtype_code", "description", "email"].forEach(function (name) {
      body.append(name, $(name).value);
    });
    body.append("ticket", ticket || "");
    body.append("updates", form.querySelector("input[name=updates]:checked").value);
    photos.forEach(function (blob, i) { body.append("photos", blob, "photo" + (i + 1) + ".jpg"); });
    $("submit-report").disabled = true;
    post(form.dataset.reportUrl, body).then(function (json) {
      var link = location.origin + json.link;
      form.hidden = true;
      $("done").hidden = false;
      $("done-case").textContent = json.case_no;
      $("done-link").href = json.link;
      $("done-link").textContent = link;
      window.scrollTo(0, 0);
    }).catch(function () { $("submit-report").disabled = false; });
  }

  function ready() {
    form = $("citizen-report");
    if (!form) { return; }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(form.dataset.sw, { scope: "/citizen/" }).catch(function () {});
    }
    $("photo-input").addEventListener("change", function (event) { addPhotos(event.target.files); event.target.value = ""; });
    setUpMap();
    setUpPhone();
    fetch(form.dataset.catalogue, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (json) { catalogue = json.groups || []; showClasses(); });
    form.addEventListener("submit", submit);
    $("copy-link").addEventListener("click", function (event) {
      var done = function () { event.target.textContent = event.target.dataset.copied; };
      if (navigator.clipboard) { navigator.clipboard.writeText($("done-link").textContent).then(done, function () {}); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
