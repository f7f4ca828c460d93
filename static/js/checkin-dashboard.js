// Live check-in counts: polls the stats endpoint and updates the tables without reloading.
(function () {
  "use strict";
  var root = document.querySelector("[data-dashboard]");
  if (!root) { return; }
  // Messages in the staff member's language, served by the page (see checkin.js).
  var STRINGS = (function () {
    var node = document.getElementById("desk-strings");
    try { return (node && JSON.parse(node.textContent)) || {}; } catch (e) { return {}; }
  })();
  function t(text, values) {
    var found = STRINGS[text];
    return (typeof found === "string" && found ? found : text).replace(/%\((\w+)\)[sd]/g, function (match, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }
  function cell(tag, text, scope) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (scope) { node.setAttribute("scope", scope); }
    return node;
  }
  function fill(body, rows) {
    body.textContent = "";
    rows.forEach(function (values) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("th", values[0], "row"));
      values.slice(1).forEach(function (v) {
        if (v instanceof Node) { var td = document.createElement("td"); td.appendChild(v); tr.appendChild(td); } else { tr.appendChild(cell("td", v)); }
      });
      body.appendChild(tr);
    });
  }
  function bar(count, max) {
    var span = document.createElement("span");
    span.className = "bar";
    span.setAttribute("aria-hidden", "true");
    span.style.width = (max ? Math.round(100 * count / max) : 0) + "%";
    return span;
  }
  function sizeBars() {
    var bars = root.querySelectorAll("[data-arrivals] .bar[data-width]");
    var max = 0;
    bars.forEach(function (b) { max = Math.max(max, +b.dataset.width); });
    bars.forEach(function (b) { b.style.width = (max ? Math.round(100 * b.dataset.width / max) : 0) + "%"; b.setAttribute("aria-hidden", "true"); });
  }
  function update() {
    fetch(root.dataset.statsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        root.querySelector("[data-count]").textContent = data.checked_in;
        root.querySelector("[data-expected]").textContent = data.expected;
        fill(root.querySelector("[data-lists]"), data.lists.map(function (l) { return [l.name, l.checked_in, l.expected]; }));
        fill(root.querySelector("[data-categories]"), data.categories.map(function (c) { return [c.name, c.checked_in, c.expected]; }));
        var max = data.arrivals.reduce(function (m, a) { return Math.max(m, a.count); }, 0);
        fill(root.querySelector("[data-arrivals]"), data.arrivals.map(function (a) { return [a.slot, a.count, bar(a.count, max)]; }));
        var now = new Date();
        var time = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2) + ":" + ("0" + now.getSeconds()).slice(-2);
        root.querySelector("[data-updated]").textContent = t("Updated at %(time)s.", { time: time });
      })
      .catch(function () { root.querySelector("[data-updated]").textContent = t("Cannot reach the server; showing the last counts."); });
  }
  sizeBars();
  window.setInterval(function () { if (!document.hidden) { update(); } }, 5000);
})();
