// The settings pages work without this; with it, changing a setting's value chooses
// "set here" for that setting.
(function () {
  "use strict";
  var form = document.querySelector("form.settings-form");
  if (!form) {
    return;
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
