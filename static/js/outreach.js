/* Emails: the composer's live recipient count, and the delivery progress bar.
   Both pages work without this file (an "Update the count" button; reload for progress). */
(function () {
  "use strict";
  document.documentElement.classList.add("outreach-js");

  function liveCount(builder) {
    var form = builder.closest("form");
    var url = builder.getAttribute("data-count-url");
    var box = builder.querySelector("#segment-count");
    if (!form || !url || !box) { return; }
    var timer = null;
    function update() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (key === "match" || key.indexOf("cond-") === 0) { params.append(key, value); }
      });
      fetch(url + "?" + params.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.error) { box.querySelector("[data-sample]").textContent = data.error.message; return; }
          box.querySelector("[data-count]").textContent = data.count;
          // The words come from the server, in the page's language.
          box.querySelector("[data-label]").textContent = data.label;
          box.querySelector("[data-sample]").textContent = data.sample_text;
        })
        .catch(function () { /* keep the last count; the button still works */ });
    }
    builder.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
    builder.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 400); });
  }

  function progress(section) {
    var url = section.getAttribute("data-progress-url");
    var bar = section.querySelector("progress");
    var label = section.querySelector("label[for='" + bar.id + "']");
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          bar.max = data.total || 1;
          bar.value = data.done;
          bar.textContent = data.texts.of;
          label.textContent = data.texts.handled;
          ["sent", "failed", "skipped"].forEach(function (state) {
            section.querySelector("[data-state='" + state + "']").textContent = data[state];
          });
          section.querySelector("[data-state='queued']").textContent = data.queued + data.sending;
          if (data.finished) {
            section.setAttribute("data-finished", "true");
            var done = section.querySelector("[data-done]");
            done.textContent = "· " + data.texts.done + " ";
            var refresh = document.createElement("a");
            refresh.href = window.location.pathname;
            refresh.textContent = data.texts.refresh;
            done.appendChild(refresh);
          } else {
            setTimeout(poll, 1000);
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    if (section.getAttribute("data-finished") !== "true") { setTimeout(poll, 500); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".segment-builder[data-count-url]"), liveCount);
    Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), progress);
  });
})();
