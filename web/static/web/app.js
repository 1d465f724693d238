// talentgap web: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // The language switcher submits as soon as a language is chosen (its button stays for no-JS).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select) select.form.submit();
  });

  // "Selected:" before a picked occupation; a Chinese full-width colon carries its own space.
  function selectedLabel() {
    var label = document.documentElement.dataset.selectedLabel || "✓";
    return /[：；，。]$/.test(label) ? label : label + " ";
  }

  // Occupation picker: a result button fills the hidden code and the visible field.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".occ-pick");
    if (!button) return;
    var picker = button.closest(".occupation-picker");
    if (!picker) return;
    var input = picker.querySelector("input[type=search]");
    var code = picker.querySelector("input[name=occupation_code]");
    code.value = button.dataset.code;
    input.value = button.dataset.code + " " + button.dataset.title;
    input.dataset.picked = input.value;
    picker.querySelector(".picked").textContent = selectedLabel() + input.value;
    picker.querySelector(".results").innerHTML = "";
    input.focus();
  });

  // A program's occupations: a result adds its code to the codes field (once) and its title to the
  // list of those selected; the search is cleared for the next one.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".occ-pick");
    var adder = button && button.closest(".occupation-adder");
    if (!adder) return;
    var field = adder.querySelector("input[name=occupation_codes]");
    var codes = field.value.split(/[;,\s]+/).filter(Boolean);
    var chosen = adder.querySelector(".picked");
    if (codes.indexOf(button.dataset.code) === -1) {
      codes.push(button.dataset.code);
      field.value = codes.join(";");
      var item = button.dataset.code + " " + button.dataset.title;
      chosen.textContent = chosen.textContent.trim() ? chosen.textContent.trim() + (chosen.dataset.separator || "; ") + item : selectedLabel() + item;
    }
    adder.querySelector(".results").innerHTML = "";
    var find = adder.querySelector("input[type=search]");
    find.value = "";
    find.focus();
  });

  // Enter in the occupation finder searches; it does not save the program.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.closest(".occupation-adder input[type=search]")) event.preventDefault();
  });

  // Typing again after a pick means a different occupation: forget the picked code.
  document.addEventListener("input", function (event) {
    var input = event.target.closest(".occupation-picker input[type=search]");
    if (!input || input.value === input.dataset.picked) return;
    var picker = input.closest(".occupation-picker");
    picker.querySelector("input[name=occupation_code]").value = "";
    picker.querySelector(".picked").textContent = "";
  });

  // A table wider than the screen scrolls inside its box: make that box reachable by keyboard
  // (tabindex) so it can be scrolled without a mouse, and only then (no extra tab stops otherwise).
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap, .timeline-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  window.addEventListener("load", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);

  // A form sent back with errors: move the focus (and so the view and a screen reader) to its summary.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });

  // A button for an irreversible action asks first (data-confirm holds the question). Without
  // JavaScript the server's own confirmation step does the asking.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (!button) return;
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  // Escape closes the result list and returns to the field.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var picker = event.target.closest(".occupation-picker");
    if (!picker) return;
    picker.querySelector(".results").innerHTML = "";
    picker.querySelector("input[type=search]").focus();
  });
})();
