// The live channel in the browser (docs/notifications.md, "In the browser"): one EventSource per page on the
// stream the bell names. "inbox" events set the bell's count; "tasks" events fire "tasks-changed" on <body>, which
// the task lists' htmx trigger listens for (hx-trigger="tasks-changed from:body, every 60s").
// The browser reconnects a dropped stream by itself (the server's retry: hint); a refused one (429: five tabs
// already open) stays closed, and the lists fall back to their slow poll.
(function () {
  "use strict";

  function start() {
    var bell = document.getElementById("bell");
    if (!bell || !window.EventSource) { return; }
    var count = bell.querySelector(".bell-count");
    var source = new EventSource(bell.getAttribute("data-stream"));

    source.addEventListener("inbox", function (event) {
      var unread = JSON.parse(event.data).unread;
      count.textContent = String(unread);
      count.setAttribute("data-unread", String(unread));
      bell.classList.toggle("has-unread", unread > 0);
      document.body.setAttribute("data-live", "open"); // the first event says the stream is up
    });

    source.addEventListener("tasks", function (event) {
      var detail = JSON.parse(event.data);
      document.body.dispatchEvent(new CustomEvent("tasks-changed", { detail: detail }));
    });

    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        document.body.setAttribute("data-live", "closed");
      }
    });

    window.addEventListener("pagehide", function () { source.close(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
