// Sojourn's own script: small, optional, and never inline (the content
// security policy forbids inline script). Every page works without it.
(function () {
  "use strict";

  // With script running, the "update the next level" buttons of the
  // division pickers are not needed: htmx reloads the picker on change.
  document.documentElement.classList.add("js");

  // Buttons marked data-print open the print dialog (person file, card).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });

  // On an office screen every filter fits: show them open. On a phone
  // they stay folded under the search box until asked for.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(min-width: 701px)").matches) {
      document.querySelectorAll("details.filter-more").forEach(function (d) {
        d.open = true;
      });
    }
  });

  // After a refused submit, take keyboard and screen-reader users to the
  // summary of what needs correcting.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }
  });

  // "Select all on this page" ticks (or clears) every row of a batch.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || !target.dataset.selectAll) {
      return;
    }
    document.querySelectorAll("input." + target.dataset.selectAll).forEach(function (box) {
      box.checked = target.checked;
    });
  });
})();
