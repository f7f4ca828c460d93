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
  // Move focus to an error summary so screen reader users hear what to fix.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }
  });
})();
