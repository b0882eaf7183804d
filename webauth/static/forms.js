// What the site's forms share (see _form_parts.html); each works without it. With it, a
// failed submit starts the keyboard and screen readers at the list of problems, and typing
// a setting's value chooses "set here" for that setting.
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  document.querySelectorAll("form [data-sets]").forEach(function (control) {
    var choose = function () {
      var set = control.form && control.form.querySelector(
        "input[type=radio][name='" + control.dataset.sets + "'][value=set]");
      if (set) {
        set.checked = true;
      }
    };
    control.addEventListener("input", choose);
    control.addEventListener("change", choose);
  });
}());
