/* What the phone pages' scripts share (the campaign sweep, the assessment inspection, the assessment start form):
   postJson posts JSON (or a FormData) with the session's CSRF token (app.js csrfToken) and turns a refusal into an
   Error whose message names the fields (their messages only, or "field: message" with named), and resizedPhoto draws
   a photo on a canvas no wider or taller than maxSide, as JPEG (a phone photo of 4000 px, 3–8 MB, becomes
   ~300 kB at 1600). Loaded before the page's script; no inline scripts (CSP). */
(function () {
  "use strict";

  function postJson(url, body, isForm, named) {
    var headers = { "X-CSRF-Token": csrfToken(), "Accept": "application/json" };
    if (!isForm) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers,
                        body: isForm ? body : JSON.stringify(body) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) {
          var err = (json && json.error) || {}, fields = err.fields || {};
          var names = Object.keys(fields);
          throw new Error(names.length ? names.map(function (k) { return (named ? k + ": " : "") + fields[k]; })
                                                .join("; ")
                                       : (err.message || ("HTTP " + r.status)));
        }
        return json;
      });
    });
  }

  function resizedPhoto(file, maxSide) {
    return new Promise(function (resolve, reject) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) { if (blob) { resolve(blob); } else { reject(new Error("photo")); } },
                      "image/jpeg", 0.82);
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("photo")); };
      img.src = url;
    });
  }

  window.gridcasePost = { postJson: postJson, resizedPhoto: resizedPhoto };
})();
