// The live channel in the browser (docs/notifications.md, "In the browser"): one EventSource per page on the
// stream the bell names. "inbox" events set the bell's count; "tasks" events fire "tasks-changed" on <body>, which
// the task lists' htmx trigger listens for (hx-trigger="tasks-changed from:body, every 60s").
// The browser reconnects a dropped stream by itself (the server's retry: hint); a refused one (429: five tabs
// already open) is tried again after 30 s, the lists falling back to their slow poll meanwhile.
(function () {
  "use strict";
  var leaving = false; // the page is going: a replaced stream is this tab's next page's doing

  // One id per browser tab (sessionStorage is per tab): the server replaces the tab's previous stream when the
  // person moves to another page, instead of counting it against the five streams an account may hold.
  function tabId(fresh) {
    try {
      var id = window.sessionStorage.getItem("gridcase-tab");
      if (!id || fresh) {
        id = Math.random().toString(36).slice(2) + Date.now().toString(36);
        window.sessionStorage.setItem("gridcase-tab", id);
      }
      return id;
    } catch (e) {
      return "";
    }
  }

  function connect(bell, fresh) {
    var count = bell.querySelector(".bell-count");
    var source = new EventSource(bell.getAttribute("data-stream") + "?tab=" + encodeURIComponent(tabId(fresh)));

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

    // Another stream came with this tab's id: this is a duplicated tab (its sessionStorage copied), so it takes
    // an id of its own rather than taking the stream back and forth with its twin.
    source.addEventListener("replaced", function () {
      source.close();
      if (!leaving) { connect(bell, true); }
    });

    // A refused stream (429: five tabs open; 503: the server holds all it may) is not retried by the browser:
    // try again after the server's Retry-After (30 s); the lists poll slowly meanwhile.
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        document.body.setAttribute("data-live", "closed");
        if (!leaving) { window.setTimeout(function () { if (!leaving) { connect(bell, false); } }, 30000); }
      }
    });

    window.addEventListener("pagehide", function () { leaving = true; source.close(); });
  }

  function start() {
    var bell = document.getElementById("bell");
    if (bell && window.EventSource) { connect(bell, false); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
