// Budget charts: Plotly from JSON data islands (no inline scripts: strict CSP).
// <div data-budget-chart="ID-of-a-<script type=application/json>"></div>
"use strict";

(function () {
  function num(v) {
    return v === null || v === undefined ? null : Number(v);
  }

  function traces(spec) {
    if (spec.kind === "waterfall") {
      return [{
        type: "waterfall",
        x: spec.x,
        y: spec.values.map(num),
        measure: spec.measure,
        text: spec.values.map(function (v) { return Math.round(Math.abs(num(v))).toLocaleString("da-DK"); }),
        textposition: "outside",
        connector: { line: { color: "#6b7785" } },
        increasing: { marker: { color: "#1f5f8b" } },
        decreasing: { marker: { color: "#b3261e" } },
        totals: { marker: { color: "#1b6e3a" } },
        hovertemplate: "%{x}: %{y:,.0f} timer<extra></extra>",
      }];
    }
    if (spec.kind === "bars") {
      return spec.series.map(function (s) {
        var values = s.values.map(num);
        return {
          type: "bar",
          name: s.name,
          x: spec.x,
          y: values,
          marker: { color: values.map(function (v) { return v > 0 ? "#b3261e" : "#1b6e3a"; }) },
          hovertemplate: "%{x}: %{y:,.0f} kr.<extra></extra>",
        };
      });
    }
    var colours = ["#1f5f8b", "#b3261e", "#6b4fa0", "#1b6e3a"];
    return spec.series.map(function (s, i) {
      return {
        type: "scatter",
        mode: "lines+markers",
        name: s.name,
        x: spec.x,
        y: s.values.map(num),
        line: { color: colours[i % colours.length], dash: s.dash ? "dash" : "solid" },
        connectgaps: false,
        hovertemplate: s.name + " %{x}: %{y:,.0f} kr.<extra></extra>",
      };
    });
  }

  function draw(el) {
    var island = document.getElementById(el.dataset.budgetChart);
    if (!island || typeof Plotly === "undefined") return;
    var spec = JSON.parse(island.textContent);
    var layout = {
      separators: ",.",
      height: 380,
      margin: { t: 24, r: 48, b: spec.kind === "lines" ? 72 : 120, l: 88 },
      yaxis: { title: { text: spec.y_title || "" }, tickformat: ",.0f", zeroline: true },
      xaxis: { tickangle: spec.kind === "lines" ? 0 : -25, automargin: true },
      legend: { orientation: "h", y: -0.2 },
      showlegend: spec.kind === "lines",
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, sans-serif", size: 13, color: "#1d2733" },
    };
    Plotly.newPlot(el, traces(spec), layout, { displayModeBar: false, responsive: true });
  }

  function init() {
    document.querySelectorAll("[data-budget-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
