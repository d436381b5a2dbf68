/* The campaigns page: 全选 ticks every topic of the start form. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("topics-all");
    if (!all) { return; }
    all.addEventListener("click", function () {
      var boxes = document.querySelectorAll('#start-campaign input[name="topics"]');
      var tick = Array.prototype.some.call(boxes, function (b) { return !b.checked; });
      boxes.forEach(function (b) { b.checked = tick; });
    });
  });
}());

/* The report's 打印 button (no inline scripts). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var button = document.getElementById("print-report");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
});

/* A form that asks first (结束普查, another hazard survey): data-confirm is the question; no inline scripts. */
document.addEventListener("submit", function (event) {
  "use strict";
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
