// Customers > Segments, Conditions: the condition builder. It draws the condition tree kept as
// JSON in the "Conditions as JSON" text box, using the catalogue the page embeds (every
// condition the segment's Apply To allows, with its operators and values), and writes the tree
// back to the text box on every change. The page works without this file: staff edit the JSON
// and the server checks it. Either way the server reports each problem at its path
// ("conditions.conditions[1].value"), which this file shows next to its condition.
(function () {
  "use strict";
  var mount = document.getElementById("segment-builder");
  var textarea = document.getElementById("id_conditions");
  if (!mount || !textarea) return;

  function embedded(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }
  var catalogue = embedded("segment-catalogue");
  var strings = embedded("segment-builder-strings");
  var config = embedded("segment-builder-config");
  var readOnly = textarea.disabled;
  var errors = config.errors || {};
  var placed = {};
  var tree = null;
  var LIST_OPERATORS = ["is_one_of", "is_not_one_of"];

  // --- Small helpers ---------------------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === false || value === null || value === undefined) return;
      if (value === true) node.setAttribute(name, "");
      else node.setAttribute(name, String(value));
    });
    (children || []).forEach(function (child) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function hidden(text) {
    return el("span", { class: "visually-hidden" }, [text]);
  }

  // A node's id follows its place in the tree ("sc-0-2" is the root's first child's third
  // child), so a control keeps its id, and its focus, when the tree is drawn again.
  function idFor(path) {
    var steps = path.match(/\d+/g) || [];
    return ["sc"].concat(steps).join("-");
  }

  function same(a, b) {
    return a === b || String(a).toLowerCase() === String(b).toLowerCase();
  }

  function isEmpty(value) {
    return value === undefined || value === null || value === "";
  }

  // --- The catalogue ---------------------------------------------------------------------------

  function entryFor(node) {
    var candidates = catalogue.filter(function (entry) {
      return entry.type === node.type;
    });
    var specific = candidates.filter(function (entry) {
      var keys = Object.keys(entry.defaults);
      return keys.length && keys.every(function (key) {
        return String(node[key]) === String(entry.defaults[key]);
      });
    });
    if (specific.length) return specific[0];
    var general = candidates.filter(function (entry) {
      return Object.keys(entry.defaults).length === 0;
    });
    return general.length ? general[0] : null;
  }

  function labelOf(entry) {
    return config.markVisitors && entry.visitor ? entry.label + " *" : entry.label;
  }

  function childScope(entry, scope) {
    return entry.children === "same" ? scope : entry.children;
  }

  function initialValue(field) {
    if (field.kind === "select") return field.choices.length ? field.choices[0][0] : "";
    if (field.kind === "date_range") return ["", ""];
    return "";
  }

  function newNode(entry) {
    var node = Object.assign({ type: entry.type }, entry.defaults);
    entry.fields.forEach(function (field) {
      if (!(field.name in node)) node[field.name] = initialValue(field);
    });
    if (entry.children) node.conditions = [];
    return node;
  }

  function fieldLabel(node, name) {
    return strings.fields[node.type + "." + name] || strings.fields[name] || name;
  }

  // --- Saving ----------------------------------------------------------------------------------

  function save() {
    textarea.value = JSON.stringify(tree, null, 2);
  }

  // A change of the tree's shape moves the paths the server's problems were reported at.
  function reshaped(focusId) {
    errors = {};
    save();
    draw(focusId);
  }

  // --- Controls --------------------------------------------------------------------------------

  function describeErrors(control, path, holder) {
    var messages = errors[path] || [];
    if (!messages.length) return;
    placed[path] = true;
    var errorId = control.id + "-error";
    holder.push(el("span", { class: "segment-node-error", id: errorId }, [messages.join(" ")]));
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", errorId);
  }

  function labelled(control, text) {
    return [el("label", { for: control.id, class: "visually-hidden" }, [text]), control];
  }

  function choiceSelect(id, choices, current, onPick) {
    var select = el("select", { id: id, disabled: readOnly });
    var found = -1;
    choices.forEach(function (choice, index) {
      select.append(el("option", { value: String(index) }, [String(choice[1])]));
      if (found === -1 && !isEmpty(current) && same(choice[0], current)) found = index;
    });
    if (found === -1 && !isEmpty(current)) {
      // A value the catalogue no longer offers is shown as it is, not silently replaced.
      select.append(el("option", { value: "kept" }, [String(current)]));
      select.value = "kept";
    } else {
      select.value = String(Math.max(found, 0));
    }
    select.addEventListener("change", function () {
      if (select.value !== "kept") onPick(choices[Number(select.value)][0]);
    });
    return select;
  }

  function listSelect(id, choices, current, onPick) {
    var values = Array.isArray(current) ? current.map(String) : [];
    var select = el("select", { id: id, multiple: true, size: Math.min(6, choices.length) });
    select.disabled = readOnly;
    choices.forEach(function (choice) {
      var option = el("option", { value: String(choice[0]) }, [String(choice[1])]);
      option.selected = values.indexOf(String(choice[0])) !== -1;
      select.append(option);
    });
    select.addEventListener("change", function () {
      onPick(Array.prototype.filter.call(select.options, function (option) {
        return option.selected;
      }).map(function (option) {
        return option.value;
      }));
    });
    return select;
  }

  function input(id, type, value, onInput, extra) {
    var attributes = Object.assign({ id: id, type: type, disabled: readOnly }, extra || {});
    var box = el("input", attributes);
    box.value = isEmpty(value) ? "" : String(value);
    box.addEventListener("input", function () {
      onInput(box.value);
    });
    return box;
  }

  // The label(s) and control(s) of one parameter of ``node``, then its problems.
  function fieldControls(node, field, path, title) {
    var id = idFor(path) + "-" + field.name;
    var text = title + ": " + fieldLabel(node, field.name);
    var errorPath = path + "." + field.name;
    var set = function (value) {
      node[field.name] = value;
      save();
    };
    var parts = [];
    var control;
    if (field.kind === "select") {
      control = choiceSelect(id, field.choices, node[field.name], set);
    } else if (field.kind === "multiselect") {
      var asList = LIST_OPERATORS.indexOf(node.operator) !== -1;
      if (!field.choices.length) {
        var shown = Array.isArray(node[field.name]) ? node[field.name].join(", ") : node[field.name];
        control = input(id, "text", shown, function (value) {
          set(asList ? value.split(",").map(function (v) { return v.trim(); }).filter(Boolean) : value);
        });
      } else if (asList) {
        control = listSelect(id, field.choices, node[field.name], set);
      } else {
        control = choiceSelect(id, field.choices, node[field.name], set);
      }
    } else if (field.kind === "number") {
      control = input(id, "text", node[field.name], set, { inputmode: "decimal", size: 10 });
    } else if (field.kind === "days") {
      control = input(id, "number", node[field.name], function (value) {
        set(/^\d+$/.test(value) ? parseInt(value, 10) : value);
      }, { min: 0, step: 1 });
    } else if (field.kind === "date") {
      control = input(id, "date", node[field.name], set);
    } else if (field.kind === "date_range") {
      var range = Array.isArray(node[field.name]) ? node[field.name].slice(0, 2) : ["", ""];
      var first = input(id + "-from", "date", range[0], function (value) {
        range[0] = value;
        set(range.slice());
      });
      var last = input(id + "-to", "date", range[1], function (value) {
        range[1] = value;
        set(range.slice());
      });
      var holder = [];
      describeErrors(first, errorPath, holder);
      if (holder.length) {
        last.setAttribute("aria-invalid", "true");
        last.setAttribute("aria-describedby", first.id + "-error");
      }
      var wrap = el("span", { class: "segment-range" });
      labelled(first, title + ": " + strings.fields.from).forEach(function (p) { wrap.append(p); });
      wrap.append(el("span", { "aria-hidden": "true" }, ["…"]));
      labelled(last, title + ": " + strings.fields.to).forEach(function (p) { wrap.append(p); });
      return [wrap].concat(holder);
    } else {
      control = input(id, "text", node[field.name], set, { size: 18 });
    }
    if (field.name === "operator" && node.type !== "combine") {
      // Between one value and a list of values, the value control changes.
      control.addEventListener("change", function () {
        var nowList = LIST_OPERATORS.indexOf(node.operator) !== -1;
        var value = node.value;
        if (nowList && !Array.isArray(value)) node.value = isEmpty(value) ? [] : [value];
        else if (!nowList && Array.isArray(value)) node.value = value.length ? value[0] : "";
        else return;
        save();
        draw(control.id);
      });
    }
    parts = parts.concat(labelled(control, text));
    describeErrors(control, errorPath, parts);
    return parts;
  }

  // --- Nodes -----------------------------------------------------------------------------------

  function nodeLine(node, entry, path, title) {
    var line = el("div", { class: "segment-node-line" });
    var controls = {};
    entry.fields.forEach(function (field) {
      controls[field.name] = fieldControls(node, field, path, title);
    });
    var phrase = strings.phrases[node.type];
    if (phrase) {
      phrase.split(/(\{\w+\})/).forEach(function (piece) {
        var match = piece.match(/^\{(\w+)\}$/);
        if (match && controls[match[1]]) {
          controls[match[1]].forEach(function (part) { line.append(part); });
          delete controls[match[1]];
        } else if (piece.trim()) {
          line.append(el("span", { class: "segment-phrase" }, [piece.trim()]));
        }
      });
    } else {
      line.append(el("span", { class: "segment-node-label" }, [title]));
    }
    entry.fields.forEach(function (field) {
      (controls[field.name] || []).forEach(function (part) { line.append(part); });
    });
    return line;
  }

  function nodeErrors(path, container) {
    [path, path + ".type", path + ".attribute", path + ".conditions"].forEach(function (key) {
      var messages = errors[key] || [];
      if (!messages.length) return;
      placed[key] = true;
      container.append(el("span", { class: "segment-node-error", role: "note" }, [messages.join(" ")]));
    });
  }

  function removeButton(parent, index, parentPath, title) {
    var button = el("button", {
      type: "button",
      class: "button segment-remove",
      "aria-label": format(strings.removeLabel, { label: title }),
    }, [strings.remove]);
    button.addEventListener("click", function () {
      parent.conditions.splice(index, 1);
      reshaped(idFor(parentPath) + "-add");
    });
    return button;
  }

  function picker(container, path, scope, title) {
    var id = idFor(path) + "-add";
    var select = el("select", { id: id });
    select.append(el("option", { value: "" }, [strings.choose]));
    var groups = {};
    catalogue.forEach(function (entry, index) {
      if (entry.scopes.indexOf(scope) === -1) return;
      if (!groups[entry.group]) {
        groups[entry.group] = el("optgroup", { label: entry.group });
        select.append(groups[entry.group]);
      }
      groups[entry.group].append(el("option", { value: String(index) }, [labelOf(entry)]));
    });
    var button = el("button", {
      type: "button",
      class: "button segment-add-button",
      "aria-label": format(strings.addLabel, { label: title }),
    }, [strings.add]);
    button.addEventListener("click", function () {
      if (select.value === "") {
        select.focus();
        return;
      }
      var entry = catalogue[Number(select.value)];
      if (!Array.isArray(container.conditions)) container.conditions = [];
      container.conditions.push(newNode(entry));
      reshaped(idFor(path + ".conditions[" + (container.conditions.length - 1) + "]"));
    });
    return el("div", { class: "segment-add" }, [
      el("label", { for: id }, [strings.picker, hidden(" (" + title + ")")]), select, button,
    ]);
  }

  function nodeElement(node, path, scope, parent, index, parentPath) {
    var entry = node && typeof node === "object" ? entryFor(node) : null;
    var title = entry ? labelOf(entry) : String((node && node.type) || "?");
    var element = el("div", {
      class: "segment-node",
      id: idFor(path),
      role: "group",
      "aria-label": format(strings.condition, { label: title }),
    });
    if (!entry) {
      var line = el("div", { class: "segment-node-line" }, [
        el("span", { class: "segment-node-error" }, [
          format(strings.unknown, { type: title, attribute: (node && node.attribute) || "" }),
        ]),
      ]);
      if (parent && !readOnly) line.append(removeButton(parent, index, parentPath, title));
      element.append(line);
      nodeErrors(path, element);
      return element;
    }
    var nodeLineElement = nodeLine(node, entry, path, title);
    if (parent && !readOnly) nodeLineElement.append(removeButton(parent, index, parentPath, title));
    element.append(nodeLineElement);
    nodeErrors(path, element);
    if (entry.children) {
      var inner = childScope(entry, scope);
      var children = Array.isArray(node.conditions) ? node.conditions : [];
      if (children.length) {
        var list = el("ul");
        children.forEach(function (child, childIndex) {
          var childPath = path + ".conditions[" + childIndex + "]";
          list.append(el("li", {}, [nodeElement(child, childPath, inner, node, childIndex, path)]));
        });
        element.append(list);
      }
      if (!readOnly) element.append(picker(node, path, inner, title));
    }
    return element;
  }

  // --- Drawing ---------------------------------------------------------------------------------

  function showUnplacedErrors() {
    var list = document.getElementById("segment-condition-errors");
    if (!list) return;
    var shown = 0;
    Array.prototype.forEach.call(list.querySelectorAll("li[data-path]"), function (item) {
      item.hidden = Boolean(placed[item.getAttribute("data-path")]);
      if (!item.hidden) shown += 1;
    });
    list.hidden = shown === 0;
  }

  function draw(focusId) {
    placed = {};
    mount.replaceChildren();
    if (tree === null) {
      mount.append(el("p", { class: "segment-builder-message", role: "alert" }, [strings.invalidJson]));
      return;
    }
    if (config.markVisitors) mount.append(el("p", { class: "segment-note" }, [strings.visitorNote]));
    mount.append(nodeElement(tree, "conditions", "root", null, 0, ""));
    if (!Array.isArray(tree.conditions) || !tree.conditions.length) {
      mount.append(el("p", { class: "segment-note" }, [strings.empty]));
    }
    showUnplacedErrors();
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target && !/^(SELECT|INPUT|BUTTON|TEXTAREA)$/.test(target.tagName)) {
        target = target.querySelector("select, input, button");
      }
      if (target) target.focus();
    }
  }

  function load() {
    var text = textarea.value.trim();
    if (!text) {
      tree = { type: "combine", aggregator: "all", value: true, conditions: [] };
      return true;
    }
    try {
      var parsed = JSON.parse(text);
      tree = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
    } catch (error) {
      tree = null;
    }
    return tree !== null;
  }

  var valid = load();
  mount.setAttribute("aria-label", strings.builder);
  mount.setAttribute("role", "region");
  mount.hidden = false;
  var details = textarea.closest("details");
  if (details && valid) details.open = false;
  draw();

  // Staff may still edit the JSON by hand: the builder follows once the box is left.
  textarea.addEventListener("change", function () {
    errors = {};
    load();
    draw();
  });
  if (textarea.form) {
    textarea.form.addEventListener("reset", function () {
      // The reset event fires before the fields are reset.
      window.setTimeout(function () {
        errors = config.errors || {};
        load();
        draw();
      }, 0);
    });
  }
})();
