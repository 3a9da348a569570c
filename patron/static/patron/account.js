// Progressive enhancements of the account forms; every form works without this file.
(function () {
  "use strict";

  function strength(value) {
    if (!value) return "none";
    var classes = 0;
    if (/[a-z]/.test(value)) classes++;
    if (/[A-Z]/.test(value)) classes++;
    if (/[0-9]/.test(value)) classes++;
    if (/[^a-zA-Z0-9]/.test(value)) classes++;
    var score = classes + Math.min(Math.floor(value.length / 4), 4);
    if (score <= 3) return "weak";
    if (score <= 5) return "medium";
    if (score <= 6) return "strong";
    return "very_strong";
  }

  document.querySelectorAll("[data-strength-for]").forEach(function (meter) {
    var input = document.getElementById(meter.getAttribute("data-strength-for"));
    var label = meter.querySelector("[data-strength-label]");
    if (!input || !label) return;
    var labels = JSON.parse(label.getAttribute("data-labels"));
    meter.hidden = false;
    function update() {
      var level = strength(input.value);
      label.textContent = labels[level];
      meter.setAttribute("data-level", level);
    }
    input.addEventListener("input", update);
    update();
  });

  document.querySelectorAll("[data-show-password]").forEach(function (box) {
    var ids = box.getAttribute("data-show-password").split(" ");
    var wrapper = box.closest(".show-password");
    if (wrapper) wrapper.hidden = false;
    box.addEventListener("change", function () {
      ids.forEach(function (id) {
        var input = document.getElementById(id);
        if (input) input.type = box.checked ? "text" : "password";
      });
    });
  });
})();

// Account Information: show the email and password fields only when their box is ticked.
(function () {
  "use strict";
  document.querySelectorAll("[data-toggled-by]").forEach(function (block) {
    var boxes = block.getAttribute("data-toggled-by").split(" ").map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    if (!boxes.length) return;
    function update() {
      block.hidden = !boxes.some(function (box) { return box.checked; });
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  });

  // Address form: refresh the region suggestions when the country changes.
  document.querySelectorAll("[data-regions-for]").forEach(function (select) {
    var list = document.getElementById("region-options");
    if (!list) return;
    select.addEventListener("change", function () {
      var url = list.getAttribute("data-source") + "?country=" + encodeURIComponent(select.value);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          list.textContent = "";
          data.regions.forEach(function (region) {
            var option = document.createElement("option");
            option.value = region.name;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    });
  });

  // Confirm destructive actions (the form still works without this).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
