/* The after-action report's print button (no inline script: the site's Content-Security-Policy forbids it). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var button = document.getElementById("er-print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
});
