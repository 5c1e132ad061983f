// Intake form: add petitioner rows, and keep a double click from sending the form twice (the
// server refuses a repeated submission key anyway).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;
  var rows = document.getElementById("petitioner-rows");
  var template = document.getElementById("petitioner-row-template");
  var add = document.getElementById("add-petitioner");
  var MAX_ROWS = 100;

  add.addEventListener("click", function () {
    var next = rows.querySelectorAll("fieldset.petitioner").length;
    if (next >= MAX_ROWS) return;
    var html = template.innerHTML.replace(/__i__/g, String(next)).replace(/__n__/g, String(next + 1));
    rows.insertAdjacentHTML("beforeend", html);
    var name = document.getElementById("f-p-" + next + "-name");
    if (name) name.focus();
  });

  form.addEventListener("submit", function () {
    var button = document.getElementById("submit-registration");
    window.setTimeout(function () { button.disabled = true; }, 0);
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
