/* "Add another finding": clones the formset's empty form and counts it in TOTAL_FORMS. */
(function () {
  "use strict";
  var form = document.querySelector("[data-inspection-form]");
  if (!form) { return; }
  var button = form.querySelector("[data-add-finding]");
  var template = form.querySelector("[data-finding-template]");
  var list = form.querySelector("[data-findings]");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fieldset = holder.firstElementChild;
    list.appendChild(fieldset);
    total.value = String(index + 1);
    if (window.HunanFindings) { window.HunanFindings.enhance(fieldset); }
    if (window.HunanClauses) { window.HunanClauses.enhance(fieldset); }
    var first = fieldset.querySelector("input[type=text], textarea");
    if (first) { first.focus(); }
  });
})();
