// Charts: the one module that draws every Plotly chart (a home's budget, the
// staff hours, the dashboard). Each chart is
//   <div class="chart" data-chart="NAME-data"></div>
//   <template id="NAME-data" class="chart-data">{…spec as JSON…}</template>
// made by the template filter {{ spec|chart_data:"NAME" }} (json_script's
// escaping). The JSON sits in a <template>, not in a <script type=application/json>:
// HTMX removes <script> elements from swapped-in content (allowScriptTags: false),
// and the dashboard swaps its charts in. No inline scripts (strict CSP).
//
// A spec: {x: [categories], series: [{name, type: bar|line|marker, unit: kr|pct|antal,
// values: ["1.5", null, …], color?, colors?, dash?, secondary?}], horizontal?, stacked?,
// links?, y_title?, y2_title?}, or {kind: "waterfall", x, measure, values, unit, y_title}.
// Values come as strings (exact Decimals in Python) and become numbers here. Every
// chart has its numbers as a table beside it ("Vis som tabel"), made from the same data.
"use strict";

(function () {
  // Okabe–Ito: distinguishable with the common colour-vision deficiencies.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
  var UNIT = { kr: " kr.", pct: " %", antal: "", timer: " timer" };
  var FONT = { family: "system-ui, sans-serif", size: 13, color: "#1d2733" };

  function num(v) {
    return v === null || v === undefined ? null : Number(v);
  }

  function specOf(el) {
    var island = document.getElementById(el.dataset.chart);
    if (!island) return null;
    return JSON.parse((island.content || island).textContent);
  }

  function waterfall(spec) {
    var unit = UNIT[spec.unit] || "";
    return [{
      type: "waterfall",
      x: spec.x,
      y: spec.values.map(num),
      measure: spec.measure,
      text: spec.values.map(function (v) { return Math.round(Math.abs(num(v))).toLocaleString("da-DK"); }),
      textposition: "outside",
      connector: { line: { color: "#6b7785" } },
      increasing: { marker: { color: PALETTE[0] } },
      decreasing: { marker: { color: PALETTE[5] } },
      totals: { marker: { color: PALETTE[2] } },
      hovertemplate: "%{x}: %{y:,.0f}" + unit + "<extra></extra>",
    }];
  }

  function trace(spec, s, i) {
    var values = s.values.map(num);
    var unit = UNIT[s.unit] || "";
    var decimals = s.unit === "pct" ? ",.1f" : ",.0f";
    var color = s.color || PALETTE[i % PALETTE.length];
    var t = {
      name: s.name,
      type: s.type === "bar" ? "bar" : "scatter",
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
      t.mode = "markers";
      t.marker = { color: s.colors || color, size: 14, symbol: "diamond", line: { color: "#1d2733", width: 1 } };
    } else if (s.type === "line") {
      t.mode = "lines+markers";
      t.line = { color: color, width: 3, dash: s.dash ? "dash" : "solid" };
      t.marker = { color: color, size: 8 };
      t.connectgaps = false;
    } else {
      t.marker = { color: s.colors || color };
    }
    if (s.secondary) t.yaxis = "y2";
    return t;
  }

  function layoutOf(spec, el) {
    var layout = {
      separators: ",.",
      height: 380,
      margin: { t: 40, r: 16, b: 48, l: 16 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: FONT,
    };
    if (spec.kind === "waterfall") {
      layout.showlegend = false;
      layout.xaxis = { tickangle: -25, automargin: true };
      layout.yaxis = { title: { text: spec.y_title || "" }, tickformat: ",.0f", zeroline: true, automargin: true };
      return layout;
    }
    // Percent axes keep a decimal (0,5 %, not "0, −1, −1"); "~" drops a trailing ",0".
    var mainPct = spec.series.some(function (s) { return s.unit === "pct" && !s.secondary; });
    var valueAxis = { title: { text: spec.y_title || "" }, tickformat: mainPct ? ",.1~f" : ",.0f", zeroline: true, automargin: true };
    var categoryAxis = { automargin: true, type: "category" };
    var rows = Number(el.dataset.rows || spec.x.length);
    layout.height = spec.horizontal ? Math.max(320, 60 + rows * 22) : 380;
    layout.barmode = spec.stacked ? "stack" : "group";
    layout.legend = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" };
    layout.showlegend = spec.series.length > 1;
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
    return layout;
  }

  function draw(el) {
    if (typeof Plotly === "undefined") return;
    var spec = specOf(el);
    if (!spec) return;
    var data = spec.kind === "waterfall" ? waterfall(spec) : spec.series.map(function (s, i) { return trace(spec, s, i); });
    Plotly.newPlot(el, data, layoutOf(spec, el), { displayModeBar: false, responsive: true });
    if (spec.links && spec.links.length) {
      el.classList.add("chart--clickable");
      el.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (!point) return;
        var href = spec.links[point.pointIndex];
        // Follow the same link as the table row (an HTMX drill-down with a real URL).
        var figure = el.closest("figure") || document;
        var link = href && figure.querySelector('a[href="' + href.replace(/"/g, "") + '"]');
        if (link) link.click();
      });
    }
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (!el.classList.contains("js-plotly-plot")) draw(el);
    });
  }

  function init() {
    drawAll();
    // Charts swapped in by HTMX (the dashboard's drill-downs, back and forward).
    document.body.addEventListener("htmx:afterSettle", drawAll);
    document.body.addEventListener("htmx:historyRestore", drawAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
