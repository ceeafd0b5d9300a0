// Dashboard charts: Plotly from JSON data islands (no inline scripts: strict CSP).
// <div data-dash-chart="{…chart spec as JSON…}"></div>: the spec sits in an attribute,
// not in a <script> data island, because HTMX drops <script> elements from swapped
// content (allowScriptTags: false). Charts are drawn on load and after every swap.
"use strict";

(function () {
  var UNIT = { kr: " kr.", pct: " %", antal: "" };

  function num(v) {
    return v === null || v === undefined ? null : Number(v);
  }

  function trace(spec, s) {
    var values = s.values.map(num);
    var unit = UNIT[s.unit] || "";
    var decimals = s.unit === "pct" ? ",.1f" : ",.0f";
    var t = {
      name: s.name,
      type: s.type === "line" ? "scatter" : "bar",
      hovertemplate: "%{" + (spec.horizontal ? "y" : "x") + "}: %{" + (spec.horizontal ? "x" : "y") + ":" + decimals + "}" + unit + "<extra>" + s.name + "</extra>",
    };
    if (spec.horizontal) {
      t.y = spec.x;
      t.x = values;
      t.orientation = "h";
    } else {
      t.x = spec.x;
      t.y = values;
    }
    if (s.type === "marker") {
      t.type = "scatter";
      t.mode = "markers";
      t.marker = { color: s.colors || s.color, size: 14, symbol: "diamond", line: { color: "#1d2733", width: 1 } };
    } else if (s.type === "line") {
      t.mode = "lines+markers";
      t.line = { color: s.color, width: 3 };
      t.marker = { color: s.color, size: 8 };
      t.connectgaps = false;
    } else {
      t.marker = { color: s.colors || s.color };
    }
    if (s.secondary) t.yaxis = "y2";
    return t;
  }

  function draw(el) {
    if (typeof Plotly === "undefined") return;
    var spec = JSON.parse(el.dataset.dashChart);
    var rows = Number(el.dataset.rows || 0);
    // Percent axes keep a decimal (0,5 %, not "0, −1, −1"); "~" drops a trailing ",0".
    var mainPct = spec.series.some(function (s) { return s.unit === "pct" && !s.secondary; });
    var valueAxis = { title: { text: spec.y_title || "" }, tickformat: mainPct ? ",.1~f" : ",.0f", zeroline: true, automargin: true };
    var categoryAxis = { automargin: true, type: "category" };
    var layout = {
      separators: ",.",
      height: spec.horizontal ? Math.max(320, 60 + rows * 22) : 380,
      margin: { t: 40, r: 16, b: 48, l: 16 },
      barmode: spec.stacked ? "stack" : "group",
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      showlegend: spec.series.length > 1,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, sans-serif", size: 13, color: "#1d2733" },
    };
    if (spec.horizontal) {
      layout.xaxis = valueAxis;
      layout.yaxis = Object.assign(categoryAxis, { autorange: "reversed" });
    } else {
      layout.xaxis = categoryAxis;
      layout.yaxis = valueAxis;
    }
    if (spec.series.some(function (s) { return s.secondary; })) {
      // A second panel under the first, on the same categories (e.g. the deviation
      // under budget and forecast), so each has its own scale and a true zero line.
      layout.height = 460;
      layout.yaxis.domain = [0.42, 1];
      layout.xaxis.anchor = "y2";
      layout.yaxis2 = {
        title: { text: spec.y2_title || "" },
        domain: [0, 0.32],
        anchor: "x",
        tickformat: ",.0f",
        zeroline: true,
        zerolinecolor: "#1d2733",
        automargin: true,
      };
    }
    Plotly.newPlot(el, spec.series.map(function (s) { return trace(spec, s); }), layout, {
      displayModeBar: false,
      responsive: true,
    });
    if (spec.links && spec.links.length) {
      el.classList.add("chart--clickable");
      el.on("plotly_click", function (data) {
        var point = data.points && data.points[0];
        if (!point) return;
        var href = spec.links[point.pointIndex];
        // Follow the same link as the table row (an HTMX drill-down with a real URL).
        var link = href && document.querySelector('#dashboard-main a[href="' + href.replace(/"/g, "") + '"]');
        if (link) link.click();
      });
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-dash-chart]").forEach(function (el) {
      if (!el.classList.contains("js-plotly-plot")) draw(el);
    });
  }

  function init() {
    drawAll(document);
    document.body.addEventListener("htmx:afterSettle", function (event) {
      drawAll(document);
      // After a drill-down the clicked link is gone: move focus to the new heading
      // so keyboard and screen-reader users continue from the top of the level.
      if (event.detail && event.detail.target && event.detail.target.id === "dashboard-main") {
        var heading = event.detail.target.querySelector("h1");
        if (heading) heading.focus({ preventScroll: true });
      }
    });
    document.body.addEventListener("htmx:historyRestore", function () { drawAll(document); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
