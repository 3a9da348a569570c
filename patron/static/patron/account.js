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
