/* Recording findings: photos by drop or paste on desktop, previews, the unit picker, on-the-spot evidence.
   Progressive enhancement: the forms work without this script. */
(function () {
  "use strict";
  var script = document.getElementById("findings-script");
  var unitSearchUrl = script ? script.dataset.unitSearchUrl : null;

  function addFiles(input, files) {
    var transfer = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file) { transfer.items.add(file); });
    Array.prototype.forEach.call(files, function (file) { transfer.items.add(file); });
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function showPreviews(input) {
    var zone = input.closest("[data-drop-zone]");
    var previews = zone.querySelector("[data-previews]");
    previews.querySelectorAll(".new-photo").forEach(function (node) { node.remove(); });
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("span");
      item.className = "new-photo";
      if (file.type.indexOf("image/") === 0 && file.type !== "image/heic") {
        var img = document.createElement("img");
        img.className = "thumb";
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        item.appendChild(img);
      } else {
        item.className += " badge text-bg-light border";
        item.textContent = file.name;
      }
      previews.appendChild(item);
    });
  }

  function enhanceDropZone(zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input || zone.dataset.enhanced) { return; }
    zone.dataset.enhanced = "1";
    input.addEventListener("change", function () { showPreviews(input); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("drag-over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("drag-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) { addFiles(input, event.dataTransfer.files); }
    });
    zone.addEventListener("paste", function (event) {
      var files = event.clipboardData ? event.clipboardData.files : [];
      if (files.length) { event.preventDefault(); addFiles(input, files); }
    });
  }

  function enhanceUnitPicker(select) {
    if (!window.TomSelect || !unitSearchUrl || select.tomselect) { return; }
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: "text",
      maxOptions: 20,
      allowEmptyOption: true,
      load: function (query, callback) {
        fetch(unitSearchUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (json) { callback(json.results); })
          .catch(function () { callback(); });
      },
      preload: "focus"
    });
    // tom-select points the label at its own control; the original select, still read by screen
    // readers, keeps the same label as its accessible name.
    var label = document.getElementById(select.id + "-ts-label");
    if (label) { select.setAttribute("aria-labelledby", label.id); }
  }

  function enhanceOnTheSpot(root) {
    root.querySelectorAll("input[name$='on_the_spot']").forEach(function (checkbox) {
      var container = checkbox.closest("[data-finding]") || checkbox.closest("form");
      var after = container.querySelector("[data-after-photos]");
      if (!after) { return; }
      var sync = function () { after.hidden = !checkbox.checked; };
      checkbox.addEventListener("change", sync);
      sync();
    });
  }

  // The phone's position goes with the photos only when the user ticks the box, and only if the
  // browser is allowed to give it; without either, the photos keep just their time and author.
  function enhanceGeolocation(box) {
    var field = box.closest("[data-photo-field]");
    var position = field && field.querySelector("[data-geo-position]");
    if (!position || box.dataset.enhanced) { return; }
    box.dataset.enhanced = "1";
    if (!navigator.geolocation) { box.disabled = true; return; }
    var locate = function () {
      if (!box.checked) { position.value = ""; return; }
      navigator.geolocation.getCurrentPosition(function (found) {
        position.value = found.coords.latitude.toFixed(6) + "," + found.coords.longitude.toFixed(6);
      }, function () { box.checked = false; position.value = ""; }, { enableHighAccuracy: true, timeout: 15000 });
    };
    box.addEventListener("change", locate);
    var input = field.querySelector("input[type=file]");
    if (input) { input.addEventListener("change", locate); }
  }

  function enhance(root) {
    root.querySelectorAll("[data-geo-consent]").forEach(enhanceGeolocation);
    root.querySelectorAll("[data-drop-zone]").forEach(enhanceDropZone);
    root.querySelectorAll("select[data-unit-search]").forEach(enhanceUnitPicker);
    enhanceOnTheSpot(root);
  }

  // Paste anywhere on the page goes to the first photo field when no field has focus.
  document.addEventListener("paste", function (event) {
    if (event.defaultPrevented || !event.clipboardData || !event.clipboardData.files.length) { return; }
    var zone = document.activeElement && document.activeElement.closest ? document.activeElement.closest("[data-drop-zone]") : null;
    zone = zone || document.querySelector("[data-drop-zone]");
    if (zone) { event.preventDefault(); addFiles(zone.querySelector("input[type=file]"), event.clipboardData.files); }
  });

  window.HunanFindings = { enhance: enhance };
  enhance(document);
})();
