/* The determination-clause picker of a finding: search the standards as you type; picking a clause
   sets the level to major and fills the legal basis (the server does the same without this script). */
(function () {
  "use strict";
  var script = document.getElementById("clauses-script");
  var searchUrl = script ? script.dataset.clauseSearchUrl : null;

  function field(container, suffix) {
    return container.querySelector("[name$='" + suffix + "']");
  }

  function enhanceClausePicker(select) {
    if (!window.TomSelect || !searchUrl || select.tomselect) { return; }
    var container = select.closest("[data-finding]") || select.closest("form");
    var picker = new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: "text",
      maxOptions: 15,
      allowEmptyOption: true,
      load: function (query, callback) {
        var industry = field(container, "industry");
        var url = searchUrl + "?q=" + encodeURIComponent(query) + "&industry=" + encodeURIComponent(industry ? industry.value : "");
        fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (json) { callback(json.results); })
          .catch(function () { callback(); });
      },
      preload: "focus",
      shouldLoad: function () { return true; }
    });
    // tom-select points the label at its own control; the original select keeps the same label
    // as its accessible name (as the unit picker does, findings.js).
    var label = document.getElementById(select.id + "-ts-label");
    if (label) { select.setAttribute("aria-labelledby", label.id); }
    picker.on("change", function (value) {
      var option = value ? picker.options[value] : null;
      if (!option) { return; }
      var level = field(container, "-level") || field(container, "level");
      if (level) { level.value = "major"; level.dispatchEvent(new Event("change", { bubbles: true })); }
      var basis = field(container, "legal_basis");
      if (basis && !basis.value.trim() && option.basis) { basis.value = option.basis; }
    });
  }

  function enhance(root) {
    root.querySelectorAll("select[data-clause-search]").forEach(enhanceClausePicker);
  }

  window.HunanClauses = { enhance: enhance };
  enhance(document);
})();
