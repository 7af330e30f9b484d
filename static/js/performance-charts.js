/* KPI dashboard charts with Apache ECharts (static/vendor/echarts-6.1.0).
   Each chart container names its data island (a <script type="application/json">
   rendered by the view with json_script) in data-echart; when ECharts draws,
   the server-drawn SVG fallback beside it (data-echart-fallback) is hidden.
   The data table next to every chart stays: it is the accessible version. */
(function () {
  "use strict";

  function options(kind, data) {
    if (kind === "bar") {
      return {
        animation: false,
        grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100 },
        yAxis: { type: "category", inverse: true, data: data.labels },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        series: [{
          type: "bar",
          name: data.title,
          data: data.values,
          itemStyle: { color: "#2e6bd6" },
          label: { show: true, position: "right" }
        }]
      };
    }
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { type: "scroll", top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.months, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100 },
      series: data.series.map(function (s) {
        return { type: "line", name: s.name, data: s.data, connectNulls: false, showSymbol: true };
      })
    };
  }

  function draw() {
    if (typeof window.echarts === "undefined") {
      return; // the SVG fallback stays
    }
    var charts = [];
    document.querySelectorAll("[data-echart]").forEach(function (el) {
      var island = document.getElementById(el.getAttribute("data-echart"));
      if (!island) {
        return;
      }
      var data = JSON.parse(island.textContent);
      el.hidden = false;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(options(el.getAttribute("data-echart-kind"), data));
      charts.push(chart);
      var fallback = el.parentElement.querySelector("[data-echart-fallback]");
      if (fallback) {
        fallback.hidden = true;
        fallback.style.display = "none";
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
