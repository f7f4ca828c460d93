// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    // Double clicks never send a form twice.
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 4000);
  }, true);
  // After logging out, remove the check-in desk's offline copy of the attendee list from this device.
  if (/[?&]logged_out=1/.test(window.location.search)) {
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf("confapp-checkin") === 0) { window.localStorage.removeItem(key); }
      });
      if (window.indexedDB) { window.indexedDB.deleteDatabase("confapp-checkin"); }
    } catch (error) { /* storage disabled: nothing was cached */ }
  }
  // A table wider than the screen scrolls inside its .table-wrap: keyboard users must be able to reach it
  // (focus it, then arrow keys scroll), and screen readers hear what the region holds (WCAG 2.1.1).
  function markScrollableTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var caption = wrap.querySelector("caption");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table, scrolls sideways");
        }
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
      }
    });
  }
  // Move focus to an error summary so screen reader users hear what to fix.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }
    markScrollableTables();
    var timer;
    window.addEventListener("resize", function () { window.clearTimeout(timer); timer = window.setTimeout(markScrollableTables, 150); });
  });
})();
