// Served as a file: the Content-Security-Policy allows no inline script.
(function () {
  var data = JSON.parse(document.getElementById("stats-data").textContent);
  var n = data.names;
  function plot(id, option, urls) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    var chart = echarts.init(el);
    option.tooltip = option.tooltip || {trigger: "axis"};
    option.grid = {left: 48, right: 48, top: 32, bottom: 64, containLabel: true};
    chart.setOption(option);
    chart.on("click", function (p) { var u = urls[p.dataIndex]; if (u) window.location.href = u; });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var t = data.trend;
  plot("chart-trend", {legend: {}, xAxis: {type: "category", data: t.labels}, yAxis: {type: "value"},
    series: [{name: n.batches, type: "line", data: t.batches}, {name: n.persons, type: "line", data: t.persons}]}, t.urls);
  var c = data.category;
  plot("chart-category", {xAxis: {type: "category", data: c.labels, axisLabel: {rotate: 30}}, yAxis: {type: "value"},
    series: [{name: n.batches, type: "bar", data: c.values}]}, c.urls);
  var u = data.unit;
  plot("chart-unit", {legend: {}, xAxis: {type: "category", data: u.labels, axisLabel: {rotate: 30}},
    yAxis: [{type: "value"}, {type: "value", max: 100}],
    series: [{name: n.batches, type: "bar", data: u.batches}, {name: n.persons, type: "bar", data: u.persons},
             {name: n.done_rate, type: "line", yAxisIndex: 1, data: u.done_rate}]}, u.urls);
  var ch = data.channel;
  plot("chart-channel", {tooltip: {trigger: "item"}, legend: {bottom: 0},
    series: [{name: n.batches, type: "pie", radius: ["35%", "65%"],
      data: ch.labels.map(function (l, i) { return {name: l, value: ch.batches[i]}; })}]}, ch.urls);
  var o = data.overdue;
  plot("chart-overdue", {xAxis: {type: "category", data: o.labels, axisLabel: {rotate: 30}}, yAxis: {type: "value"},
    series: [{name: n.overdue, type: "bar", data: o.values, itemStyle: {color: "#b42318"}}]}, o.urls);
})();
