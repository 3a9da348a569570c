// The condition builder: it draws a condition tree kept as JSON in a text box, using the
// catalogue the page embeds (every condition offered there, with its operators and values), and
// writes the tree back to the text box on every change. A page works without this file: staff
// edit the JSON and the server checks it. Either way the server reports each problem at its
// path ("conditions.conditions[1].value"), which this file shows next to its condition.
//
// It mounts on every element with data-condition-builder (the id of the JSON text box), whose
// data-catalogue, data-strings and data-config name the embedded JSON scripts (cart price
// rules: the conditions and the action conditions), and on Customers > Segments' #segment-builder.
// Only on the segment page, beside the builder, the same tree as query text: switching to Text
// asks the server to print the tree, switching back asks it to parse the text (a text left
// unchanged comes back as the tree it was printed from). Saving from the Text view posts the
// text ("editor" = "text") and the server parses it. While either is edited, a debounced
// request previews how many customers the draft matches, with a few of them, in a live region;
// its problems are shown next to their condition, or at their line and column under the text.
(function () {
  "use strict";

  function embedded(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  // ``options``: mount, textarea, catalogue, strings, config, and ``segment`` (true on the
  // segment page: the text view and the live preview).
  function mountBuilder(options) {
    var mount = options.mount;
    var textarea = options.textarea;
    var catalogue = options.catalogue;
    var config = options.config;
    var strings = Object.assign({}, options.strings, config.strings || {});
    var segmentPage = Boolean(options.segment);
    var readOnly = textarea.disabled;
    var errors = config.errors || {};
    var placed = {};
    var tree = null;
    var LIST_OPERATORS = ["is_one_of", "is_not_one_of"];
    var PREVIEW_DELAY_MS = 500;
    var VIEW_KEY = "patron.segments.editor";
    var urls = config.urls || {};
    var ID_PREFIX = config.idPrefix || "sc";
    var ROOT_PATH = config.rootPath || "conditions";
    var ROOT_SCOPE = config.rootScope || "root";
    var EMPTY_TREE = config.emptyTree || { type: "combine", aggregator: "all", value: true, conditions: [] };
    var view = "builder";
    var savedErrorsStale = false;
    var previewTimer = null;

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
      return [ID_PREFIX].concat(steps).join("-");
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
      schedulePreview();
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
    function fieldControls(node, entry, field, path, title) {
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
      } else if (field.kind === "segments") {
        // Segments are always chosen as a list of IDs, whatever the operator.
        var segmentChoices = field.choices.map(function (choice) {
          return [choice[0], format(strings.segmentChoice || "{name}", { id: choice[0], name: choice[1] })];
        });
        control = listSelect(id, segmentChoices, node[field.name], set);
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
      var listAlways = entry.fields.some(function (other) {
        return other.name === "value" && other.kind === "segments";
      });
      if (field.name === "operator" && node.type !== "combine" && !listAlways) {
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
        controls[field.name] = fieldControls(node, entry, field, path, title);
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

    // The problems the server found on save, listed above the builder: hidden once a live check
    // has replaced them, and each hidden while the builder shows it next to its condition.
    function showUnplacedErrors() {
      var list = document.getElementById(config.errorList || "segment-condition-errors");
      if (!list) return;
      var shown = 0;
      Array.prototype.forEach.call(list.querySelectorAll("li[data-path]"), function (item) {
        item.hidden = view === "builder" && Boolean(placed[item.getAttribute("data-path")]);
        if (!item.hidden) shown += 1;
      });
      list.hidden = savedErrorsStale || shown === 0;
    }

    function draw(focusId) {
      placed = {};
      mount.replaceChildren();
      if (tree === null) {
        mount.append(el("p", { class: "segment-builder-message", role: "alert" }, [strings.invalidJson]));
        return;
      }
      if (config.markVisitors) mount.append(el("p", { class: "segment-note" }, [strings.visitorNote]));
      mount.append(nodeElement(tree, ROOT_PATH, ROOT_SCOPE, null, 0, ""));
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
        tree = JSON.parse(JSON.stringify(EMPTY_TREE));
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

    // --- Talking to the server ------------------------------------------------------------------

    function csrfToken() {
      var field = textarea.form && textarea.form.querySelector('input[name="csrfmiddlewaretoken"]');
      return field ? field.value : "";
    }

    // POST ``body`` as JSON; resolves to {ok, status, data} (data: the answer's JSON, or {}).
    function post(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(body),
      }).then(function (response) {
        return response.json().catch(function () {
          return {};
        }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      });
    }

    // --- Live preview ----------------------------------------------------------------------------

    var previewRegion = segmentPage ? document.getElementById("segment-preview") : null;
    var previewNumber = 0;

    function schedulePreview() {
      if (!previewRegion || !urls.preview) return;
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(runPreview, PREVIEW_DELAY_MS);
    }

    function previewSay(children, state) {
      previewRegion.hidden = false;
      previewRegion.setAttribute("data-state", state);
      previewRegion.replaceChildren.apply(previewRegion, children);
    }

    function previewSample(sample) {
      if (!sample.length) return [];
      var body = el("tbody");
      sample.forEach(function (customer) {
        body.append(el("tr", {}, [
          el("td", {}, [el("a", { href: customer.url }, [customer.name])]),
          el("td", {}, [customer.email]),
        ]));
      });
      return [el("table", { class: "patron-table segment-preview-sample", id: "segment-preview-sample" }, [
        el("caption", {}, [strings.previewSample]),
        el("thead", {}, [el("tr", {}, [
          el("th", { scope: "col" }, [strings.previewName]),
          el("th", { scope: "col" }, [strings.previewEmail]),
        ])]),
        body,
      ])];
    }

    function problemList(items) {
      var list = el("ul", { class: "errorlist" });
      items.forEach(function (text) {
        list.append(el("li", {}, [text]));
      });
      return list;
    }

    function runPreview() {
      window.clearTimeout(previewTimer);
      var body;
      if (view === "text") {
        body = { text: queryBox.value };
      } else if (tree === null) {
        previewSay([el("p", {}, [strings.invalidJson])], "problem");
        return;
      } else {
        body = { conditions: tree };
      }
      // An answer to an older draft may still come: only the latest request's is shown.
      var number = ++previewNumber;
      previewRegion.setAttribute("aria-busy", "true");
      if (previewRegion.hidden) previewSay([el("p", {}, [strings.previewCounting])], "busy");
      post(urls.preview, body).then(function (answer) {
        if (number !== previewNumber) return;
        previewRegion.removeAttribute("aria-busy");
        var data = answer.data || {};
        if (answer.ok) {
          showSyntax([]);
          liveErrors({});
          previewSay([el("p", { class: "segment-preview-count", id: "segment-preview-count" }, [data.message])]
            .concat(previewSample(data.sample || [])), data.complete ? "complete" : "partial");
        } else if (data.syntax) {
          showSyntax(data.syntax);
          previewSay([el("p", {}, [data.message])], "problem");
        } else if (data.errors) {
          showSyntax([]);
          var byPath = {};
          data.errors.forEach(function (problem) {
            (byPath[problem.path] = byPath[problem.path] || []).push(problem.message);
          });
          liveErrors(byPath);
          previewSay([el("p", {}, [data.message]), problemList(data.errors.map(function (problem) {
            return problem.where ? problem.where + " — " + problem.message : problem.message;
          }))], "problem");
        } else {
          previewSay([el("p", {}, [data.message || strings.previewFailed])], "problem");
        }
      }).catch(function () {
        if (number !== previewNumber) return;
        previewRegion.removeAttribute("aria-busy");
        previewSay([el("p", {}, [strings.previewFailed])], "problem");
      });
    }

    // The live check's problems replace those of the last save; the builder is drawn again only
    // when they changed, keeping the focused control and its caret.
    function liveErrors(byPath) {
      savedErrorsStale = true;
      if (JSON.stringify(byPath) === JSON.stringify(errors)) {
        showUnplacedErrors();
        return;
      }
      errors = byPath;
      var active = document.activeElement;
      var focusId = active && mount.contains(active) ? active.id : null;
      var start = null;
      var end = null;
      try {
        start = active.selectionStart;
        end = active.selectionEnd;
      } catch (error) {
        start = null;
      }
      draw(focusId);
      var again = focusId && document.getElementById(focusId);
      if (again && typeof start === "number" && again.setSelectionRange) {
        try {
          again.setSelectionRange(start, end);
        } catch (error) {
          // Not every input type has a caret (number, date).
        }
      }
    }

    // --- The text view ---------------------------------------------------------------------------

    var queryBox = segmentPage ? document.getElementById("id_query") : null;
    var textPanel = segmentPage ? document.getElementById("segment-text") : null;
    var switcher = segmentPage ? document.getElementById("segment-editor-switch") : null;
    var editorField = segmentPage ? document.getElementById("id_editor") : null;
    var syntaxBox = segmentPage ? document.getElementById("query-error") : null;
    var jsonDetails = textarea.closest("details");
    // The text last printed or parsed and the tree it stands for: switching without an edit in
    // between gives back exactly what was there.
    var pair = null;

    function remember(text) {
      pair = tree === null ? null : { text: text, json: JSON.stringify(tree) };
    }

    function showSyntax(problems) {
      if (!syntaxBox) return;
      syntaxBox.replaceChildren();
      if (problems.length) {
        syntaxBox.append(problemList(problems.map(function (problem) {
          return problem.text;
        })));
        queryBox.setAttribute("aria-invalid", "true");
      } else {
        queryBox.removeAttribute("aria-invalid");
      }
    }

    function setView(name) {
      view = name;
      mount.hidden = name !== "builder";
      textPanel.hidden = name !== "text";
      if (jsonDetails) jsonDetails.hidden = name !== "builder";
      if (editorField) editorField.value = name === "text" ? "text" : "json";
      Array.prototype.forEach.call(switcher.querySelectorAll("button[data-editor]"), function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-editor") === name));
      });
      try {
        window.localStorage.setItem(VIEW_KEY, name);
      } catch (error) {
        // Storage may be switched off; the view is then not remembered.
      }
      showUnplacedErrors();
    }

    function busy(on) {
      Array.prototype.forEach.call(switcher.querySelectorAll("button"), function (button) {
        button.disabled = on;
      });
    }

    function toText() {
      if (tree === null) {
        previewSay([el("p", {}, [strings.invalidJson])], "problem");
        return;
      }
      if (pair && pair.json === JSON.stringify(tree)) {
        queryBox.value = pair.text;
        setView("text");
        return;
      }
      busy(true);
      post(urls.print, { conditions: tree }).then(function (answer) {
        busy(false);
        if (answer.ok) {
          queryBox.value = answer.data.text;
          remember(answer.data.text);
          showSyntax([]);
          setView("text");
          schedulePreview();
        } else {
          previewSay([el("p", {}, [(answer.data && answer.data.message) || strings.textFailed])], "problem");
        }
      }).catch(function () {
        busy(false);
        previewSay([el("p", {}, [strings.textFailed])], "problem");
      });
    }

    function toBuilder() {
      var text = queryBox.value;
      if (pair && pair.text === text) {
        tree = JSON.parse(pair.json);
        textarea.value = JSON.stringify(tree, null, 2);
        setView("builder");
        draw();
        return;
      }
      busy(true);
      post(urls.parse, { text: text }).then(function (answer) {
        busy(false);
        if (answer.ok) {
          tree = answer.data.conditions;
          remember(text);
          errors = {};
          textarea.value = JSON.stringify(tree, null, 2);
          setView("builder");
          draw();
          schedulePreview();
        } else if (answer.data && answer.data.syntax) {
          showSyntax(answer.data.syntax);
          queryBox.focus();
        } else {
          previewSay([el("p", {}, [(answer.data && answer.data.message) || strings.previewFailed])], "problem");
        }
      }).catch(function () {
        busy(false);
        previewSay([el("p", {}, [strings.previewFailed])], "problem");
      });
    }

    // --- Start -----------------------------------------------------------------------------------

    var valid = load();
    mount.setAttribute("aria-label", strings.builder);
    mount.setAttribute("role", "region");
    mount.hidden = false;
    if (jsonDetails && valid) jsonDetails.open = false;
    draw();

    if (queryBox && textPanel && switcher && urls.parse && urls.print) {
      if (config.textMatches) remember(queryBox.value);
      switcher.hidden = false;
      switcher.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-editor]");
        if (!button || button.getAttribute("data-editor") === view) return;
        if (button.getAttribute("data-editor") === "text") toText();
        else toBuilder();
      });
      queryBox.addEventListener("input", schedulePreview);
      var remembered = null;
      try {
        remembered = window.localStorage.getItem(VIEW_KEY);
      } catch (error) {
        remembered = null;
      }
      if (config.editor === "text") setView("text");
      else if (remembered === "text") toText();
    }

    // Staff may still edit the JSON by hand: the builder follows once the box is left.
    textarea.addEventListener("change", function () {
      errors = {};
      load();
      draw();
      schedulePreview();
    });
    if (textarea.form) {
      // Saving leaves the page: a preview still waiting for its delay is not sent.
      textarea.form.addEventListener("submit", function () {
        window.clearTimeout(previewTimer);
      });
      textarea.form.addEventListener("reset", function () {
        // The reset event fires before the fields are reset.
        window.setTimeout(function () {
          errors = config.errors || {};
          savedErrorsStale = false;
          load();
          if (config.textMatches && queryBox) remember(queryBox.value);
          if (editorField) editorField.value = view === "text" ? "text" : "json";
          draw();
          schedulePreview();
        }, 0);
      });
    }
    if (previewRegion && urls.preview) runPreview();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-condition-builder]"), function (mount) {
    var textarea = document.getElementById(mount.getAttribute("data-condition-builder"));
    if (!textarea) return;
    mountBuilder({
      mount: mount,
      textarea: textarea,
      catalogue: embedded(mount.getAttribute("data-catalogue")),
      strings: embedded(mount.getAttribute("data-strings")),
      config: embedded(mount.getAttribute("data-config")),
    });
  });

  var segmentMount = document.getElementById("segment-builder");
  var segmentTextarea = document.getElementById("id_conditions");
  if (segmentMount && segmentTextarea && !segmentMount.hasAttribute("data-condition-builder")) {
    mountBuilder({
      mount: segmentMount,
      textarea: segmentTextarea,
      catalogue: embedded("segment-catalogue"),
      strings: embedded("segment-builder-strings"),
      config: embedded("segment-builder-config"),
      segment: true,
    });
  }
})();
