// The customers grid: select the page's rows, reorder columns by drag or arrow buttons, and show
// the group choice only for "Assign a Customer Group". Everything works without this script.
(function () {
  "use strict";

  function selectPage(box) {
    document.querySelectorAll('input[name="ids"]').forEach(function (row) {
      row.checked = box.checked;
    });
  }

  function chooser(form) {
    var list = form.querySelector("ol");
    var dragged = null;
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) return;
      var item = button.closest("li");
      if (button.dataset.move === "up" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (button.dataset.move === "down" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      }
      button.focus();
    });
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("li");
      dragged.classList.add("patron-dragging");
    });
    list.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("patron-dragging");
      dragged = null;
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("li");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var after = event.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
  }

  function groupChoice(actionSelect) {
    var group = document.getElementById("mass-group");
    var label = document.querySelector('label[for="mass-group"]');
    function sync() {
      var show = actionSelect.value === "assign_group";
      group.hidden = !show;
      label.hidden = !show;
    }
    actionSelect.addEventListener("change", sync);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector("[data-select-page]");
    if (page) page.addEventListener("change", function () { selectPage(page); });
    document.querySelectorAll("[data-column-chooser]").forEach(chooser);
    var action = document.getElementById("mass-action");
    if (action) groupChoice(action);
  });
})();

// Empty filter inputs are left out of the address, so it holds only the filters in use.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("patron-filters")) return;
  form.querySelectorAll("input, select").forEach(function (field) {
    if (field.name && field.name.indexOf("f_") === 0 && field.value === "") field.disabled = true;
  });
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll(".patron-filters [disabled]").forEach(function (field) {
    field.disabled = false;
  });
});
