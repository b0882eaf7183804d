// The settings pages work without this; with it, a failed save starts at its problems, and
// changing a setting's value chooses "set here" for that setting.
(function () {
  "use strict";
  var form = document.querySelector("form.settings-form");
  if (!form) {
    return;
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();  // a failed submit: screen readers and keyboards start at the problems
  }
  form.querySelectorAll("[data-sets]").forEach(function (control) {
    var choose = function () {
      var set = form.querySelector("input[type=radio][name='" + control.dataset.sets + "'][value=set]");
      if (set) {
        set.checked = true;
      }
    };
    control.addEventListener("input", choose);
    control.addEventListener("change", choose);
  });
}());
