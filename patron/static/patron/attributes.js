// Stores > Attributes, New Attribute: show only the properties of the chosen input type and the
// input validations it offers. The page works without this file: on save the server ignores
// the properties of other input types, and refuses a validation the type does not offer.
(function () {
  "use strict";
  var inputType = document.querySelector("select[data-validations]");
  if (!inputType) return;
  var offeredByType = JSON.parse(inputType.getAttribute("data-validations"));
  var validation = document.getElementById("id_validation");

  function update() {
    var type = inputType.value;
    document.querySelectorAll("[data-input-types]").forEach(function (block) {
      block.hidden = block.getAttribute("data-input-types").split(" ").indexOf(type) === -1;
    });
    if (!validation) return;
    var offered = offeredByType[type] || [""];
    Array.prototype.forEach.call(validation.options, function (option) {
      var allowed = offered.indexOf(option.value) !== -1;
      option.hidden = !allowed;
      option.disabled = !allowed;
    });
    if (offered.indexOf(validation.value) === -1) validation.value = "";
  }

  inputType.addEventListener("change", update);
  update();
})();
