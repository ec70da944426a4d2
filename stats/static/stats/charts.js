// Draws every element with data-chart (JSON: categories, series with values and urls) as an ECharts
// bar chart; a click on a bar opens the ledger filtered to the hazards it counts (the series' url).
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var data = JSON.parse(element.dataset.chart);
    var dark = element.dataset.theme === "dark";
    var chart = echarts.init(element, dark ? "dark" : null, { renderer: "canvas" });
    var horizontal = data.categories.length > 8 && data.key !== "trend";
    var categoryAxis = { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var valueAxis = { type: "value", minInterval: 1 };
    chart.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? Object.assign({}, categoryAxis, { inverse: true }) : valueAxis,
      series: data.series.map(function (series) {
        return {
          name: series.name,
          type: "bar",
          stack: data.stacked ? "total" : undefined,
          data: series.values,
          cursor: "pointer",
          emphasis: { focus: "series" },
        };
      }),
    });
    chart.on("click", function (params) {
      var url = data.series[params.seriesIndex].urls[params.dataIndex];
      if (url) {
        window.location.href = url;
      }
    });
    element.echartsHorizontal = horizontal;
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
