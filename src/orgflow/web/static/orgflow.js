// OrgFlow's pages work without scripts; this only adds conveniences:
// - a form field checked by the browser (required, min, max, pattern) gets its message next to it,
//   in the page's language, before the form is sent (the server checks everything again);
// - buttons with data-confirm ask first;
// - a people field's search box (data-people-search) suggests matching people as one types.
(function () {
  "use strict";
  function messageFor(input) {
    var custom = input.getAttribute("data-message");
    return custom || input.validationMessage;
  }
  function show(input) {
    var id = input.id + "-error";
    var slot = document.getElementById(id);
    if (!slot) {
      slot = document.createElement("p");
      slot.className = "field-error";
      slot.id = id;
      input.insertAdjacentElement("afterend", slot);
    }
    if (input.validity.valid) {
      slot.textContent = "";
      input.removeAttribute("aria-invalid");
    } else {
      slot.textContent = messageFor(input);
      input.setAttribute("aria-invalid", "true");
      var described = (input.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(id) < 0) { described.push(id); }
      input.setAttribute("aria-describedby", described.join(" ").trim());
    }
  }
  document.addEventListener("invalid", function (event) {
    var input = event.target;
    if (input && input.id && input.form && input.form.hasAttribute("data-validate")) {
      event.preventDefault();
      show(input);
    }
  }, true);
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input && input.id && input.form && input.form.hasAttribute("data-validate")) { show(input); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-validate") && !form.checkValidity()) {
      event.preventDefault();
      var first = form.querySelector(":invalid");
      if (first) { first.focus(); }
    }
  }, true);
  var searching = null;
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box || !box.hasAttribute || !box.hasAttribute("data-people-search")) { return; }
    var words = box.value.split(/[,，、;；\s]+/);
    var last = words[words.length - 1];
    window.clearTimeout(searching);
    if (!last) { return; }
    searching = window.setTimeout(function () {
      var address = box.getAttribute("data-people-search") + "?q=" + encodeURIComponent(last);
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : []; })
        .then(function (people) {
          var list = document.getElementById(box.getAttribute("list"));
          if (!list) { return; }
          var before = words.slice(0, -1).join(", ");
          list.replaceChildren.apply(list, people.map(function (person) {
            var option = document.createElement("option");
            option.value = before ? before + ", " + person.value : person.value;
            option.label = person.label;
            option.textContent = person.label;
            return option;
          }));
        })
        .catch(function () { /* suggestions are a convenience; typing still works */ });
    }, 200);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
