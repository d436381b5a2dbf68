/* The collector's sweep of a grid (phone-sized): each item ticked 无问题 (or counted) through the checks API, or
   reported as a finding — a photo resized in the browser before it is uploaded to the grid's sweep case, a location
   from the phone or a tap on the small map (the grid's centre by default) — through the findings API with a key made
   once per finding, so a retry after a lost answer is the same finding; the photo then joins the finding's new
   lifecycle case as its evidence. 完成本网格 completes the grid's sweep_grid
   task; while topics are unrecorded the model refuses and its message is shown. No inline scripts (CSP). */
(function () {
  "use strict";

  var MAX_SIDE = 1600;  /* a phone photo (4000 px, 3–8 MB) becomes ~300 kB of JPEG */

  function send(url, body, isForm) { return window.gridcasePost.postJson(url, body, isForm, false); }

  function resized(file) { return window.gridcasePost.resizedPhoto(file, MAX_SIDE); }

  function key() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function start(root) {
    var api = JSON.parse(root.dataset.api), texts = JSON.parse(root.dataset.texts);
    var centre = JSON.parse(root.dataset.centre || "[]");
    var errorBox = document.getElementById("sweep-error");
    var dialog = document.getElementById("finding-dialog"), form = document.getElementById("finding-form");
    var photo = document.getElementById("finding-photo"), photoState = document.getElementById("finding-photo-state");
    var where = document.getElementById("finding-where"), findingError = document.getElementById("finding-error");
    var current = null, map = null, marker = null;

    function fail(box, err) { box.textContent = String(err.message || err); box.hidden = false; }

    function progress(topic) {
      var items = topic.querySelectorAll(".sweep-item"), done = topic.querySelectorAll(".sweep-item.recorded");
      topic.querySelector(".recorded").textContent = String(done.length);
      topic.querySelector(".total").textContent = String(items.length);
    }

    function mark(li, result, text) {
      li.classList.add("recorded", "result-" + result);
      li.querySelector(".outcome").textContent = text;
      progress(li.closest(".sweep-topic"));
    }

    function check(li, result, count) {
      errorBox.hidden = true;
      var topic = li.closest(".sweep-topic").dataset.topic;
      return send(api.checks, { topic_code: topic, item_code: li.dataset.item, result: result,
                                count: count }).then(function () {
        mark(li, result, result === "count" ? texts.count + " " + count : texts.clear);
      }).catch(function (err) { fail(errorBox, err); });
    }

    function place(lon, lat, text) {
      current.lon = lon; current.lat = lat;
      where.textContent = lon.toFixed(6) + ", " + lat.toFixed(6) + (text ? " · " + text : "");
      if (map) {
        if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
      }
    }

    function openFinding(li) {
      var subtypes = JSON.parse(li.dataset.subtypes || "[]"), select = document.getElementById("finding-subtype");
      current = { li: li, key: key(), lon: centre[0], lat: centre[1], evidence: [] };
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = subtypes.length > 0 && subtypes.indexOf(o.value) < 0;
      });
      var first = Array.prototype.find.call(select.options, function (o) { return !o.hidden; });
      if (first) { select.value = first.value; }
      document.getElementById("finding-item").textContent = li.querySelector(".label").textContent;
      document.getElementById("finding-description").value = li.querySelector(".label").textContent;
      photoState.textContent = ""; findingError.hidden = true; photo.value = "";
      if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
      var box = document.getElementById("finding-map");
      if (window.L && !map && centre.length === 2) {
        map = L.map(box, { zoomControl: true }).setView([centre[1], centre[0]], 16);
        if (box.dataset.tiles) { L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map); }
        map.on("click", function (e) { place(e.latlng.lng, e.latlng.lat, ""); });
      }
      if (map) { map.invalidateSize(); }
      marker = marker && map ? marker : null;
      if (centre.length === 2) { place(centre[0], centre[1], ""); }
    }

    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file || !current) { return; }
      var submit = document.getElementById("finding-submit");
      submit.disabled = true;
      photoState.textContent = texts.loading;
      resized(file).then(function (blob) {
        current.blob = blob;
        var body = new FormData();
        body.append("file", blob, "finding.jpg");
        return send(api.upload, body, true);
      }).then(function (stored) {
        current.evidence = [stored.sha256];
        photoState.textContent = "✓ " + Math.round(stored.size / 1024 || 0) + " kB";
        photoState.dataset.sha256 = stored.sha256;
      }).catch(function (err) { photoState.textContent = "✗ " + (err.message || err); })
        .finally(function () { submit.disabled = false; });
    });

    document.getElementById("finding-locate").addEventListener("click", function () {
      if (!navigator.geolocation) { where.textContent += " · " + texts.no_location; return; }
      where.textContent = texts.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        place(pos.coords.longitude, pos.coords.latitude, texts.located);
      }, function () { place(current.lon, current.lat, texts.no_location); }, { timeout: 10000 });
    });
    document.getElementById("finding-cancel").addEventListener("click", function () { dialog.close(); });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var li = current.li, topic = li.closest(".sweep-topic").dataset.topic;
      var body = { topic_code: topic, item_code: li.dataset.item, finding_key: current.key, kind: "case",
                   subtype_code: document.getElementById("finding-subtype").value,
                   description: document.getElementById("finding-description").value,
                   lon: current.lon, lat: current.lat, evidence: current.evidence };
      findingError.hidden = true;
      var blob = current.blob;
      send(api.findings, body).then(function (found) {
        /* the photo also goes into the new case's evidence (stored once by its sha256; an event of that case) */
        if (blob && found.case_no) {
          var upload = new FormData();
          upload.append("file", blob, "finding.jpg");
          return send(api.case_upload.replace("CASE", encodeURIComponent(found.case_no)), upload, true)
            .then(function () { return found; });
        }
        return found;
      }).then(function (found) {
        dialog.close();
        var count = li.querySelector(".finding-count"), n = count ? Number(count.textContent) + 1 : 1;
        mark(li, "finding", texts.findings + " " + n + (found.case_no ? " · " + found.case_no : ""));
        li.dataset.lastCase = found.case_no || "";
      }).catch(function (err) { fail(findingError, err); });
    });

    root.addEventListener("click", function (e) {
      var button = e.target.closest("button"), li = button && button.closest(".sweep-item");
      if (!li) { return; }
      if (button.classList.contains("record-clear")) { check(li, "clear", null); }
      if (button.classList.contains("record-count")) {
        var value = li.querySelector(".count-input").value;
        check(li, "count", value === "" ? null : Number(value));
      }
      if (button.classList.contains("open-finding")) { openFinding(li); }
    });

    var finish = document.getElementById("finish-grid");
    if (finish) {
      finish.addEventListener("click", function () {
        errorBox.hidden = true;
        finish.disabled = true;
        send(api.complete, { data: {} }).then(function () {
          var state = document.getElementById("sweep-state");
          state.textContent = texts.finished;
          state.dataset.state = "done";
          finish.hidden = true;
        }).catch(function (err) { fail(errorBox, err); finish.disabled = false; });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("sweep");
    if (root) { start(root); }
  });
}());
