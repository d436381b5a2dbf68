/* The trends page: cases per day, week or month (ECharts, served locally) — the total as bars and the top
   subtypes as lines; every filter change re-queries without reloading. */
(function () {
  "use strict";

  function params(form) {
    var out = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "" && key !== "filtered") { out.append(key, value); }
    });
    return out;
  }

  function showError(form, body, status) {
    var box = form.querySelector(".filter-error");
    var fields = (body && body.error && body.error.fields) || {};
    var names = Object.keys(fields);
    box.textContent = names.length ? names.map(function (k) { return k + ": " + fields[k]; }).join("; ") : "HTTP " + status;
    box.dataset.field = names[0] || "";
    box.hidden = false;
  }

  function option(found, texts, names, lang) {
    function name(code) { return code + (names[code] ? " " + names[code][lang] : ""); }
    var series = [{ name: texts.total, type: "bar", data: found.total, itemStyle: { color: "#93c5fd" } }];
    found.series.forEach(function (s) {
      series.push({ name: name(s.subtype), type: "line", data: s.values, smooth: true, symbolSize: 5 });
    });
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 24, top: 48, bottom: 64 },
      xAxis: { type: "category", data: found.periods },
      yAxis: { type: "value", minInterval: 1, name: texts.cases },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 12 }],
      series: series
    };
  }

  function start(el) {
    var texts = JSON.parse(el.dataset.texts), names = JSON.parse(el.dataset.subtypes);
    var form = document.getElementById("analysis-filters"), summary = document.getElementById("trend-summary");
    var chart = echarts.init(el);
    window.addEventListener("resize", function () { chart.resize(); });

    function refresh() {
      var query = params(form);
      form.querySelector(".filter-error").hidden = true;
      summary.textContent = texts.loading;
      history.replaceState(null, "", location.pathname + "?filtered=1&" + query.toString());
      fetch(el.dataset.trends + "?" + query.toString(), { credentials: "same-origin" }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { summary.textContent = ""; showError(form, body, r.status); return; }
          chart.setOption(option(body, texts, names, el.dataset.lang), true);
          var total = body.total.reduce(function (a, b) { return a + b; }, 0);
          summary.textContent = texts.total + " " + total + " " + texts.cases;
          el.dataset.total = String(total);
          el.dataset.periods = String(body.periods.length);
        });
      }).catch(function () { summary.textContent = texts.failed; });
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
    form.addEventListener("change", function () { refresh(); });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("trend-chart");
    if (el && window.echarts) { start(el); }
  });
}());
