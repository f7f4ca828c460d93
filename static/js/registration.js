// Conditional questions: show a question only when the answer it depends on matches.
// Without JavaScript every question shows with a note saying when to answer it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function currentValues(form, name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) { return; }
      values.push(input.value);
    });
    return values;
  }
  function update(form) {
    form.querySelectorAll("[data-condition-name]").forEach(function (block) {
      var show = currentValues(form, block.getAttribute("data-condition-name")).indexOf(block.getAttribute("data-condition-value")) !== -1;
      block.hidden = !show;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-condition-name]")) { return; }
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
