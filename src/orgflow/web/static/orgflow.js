// OrgFlow's pages work without scripts; this only adds conveniences:
// - a form field checked by the browser (required, min, max, pattern) gets its message next to it,
//   in the page's language, before the form is sent (the server checks everything again);
// - buttons with data-confirm ask first.
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
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
