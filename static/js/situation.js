// Enhancement only (the situation's question pages): a follow-up question is shown only while the answer it
// follows calls for it. Without this file every follow-up is shown, labelled as one, and the server keeps its
// answer only when its condition holds (portal/situation/questions.py).
(function () {
  "use strict";

  function inputsOf(block) {
    return document.querySelectorAll('input[name="' + block.dataset.revealName + '"]');
  }

  function update(block) {
    var values = block.dataset.revealValues.split(" ");
    var shown = false;
    inputsOf(block).forEach(function (input) {
      if (input.checked && values.indexOf(input.value) >= 0) { shown = true; }
    });
    // A follow-up the server refused stays in view, so its message is seen.
    block.hidden = !shown && !block.querySelector(".field-error");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-reveal-name]").forEach(function (block) {
      update(block);
      inputsOf(block).forEach(function (input) {
        input.addEventListener("change", function () { update(block); });
      });
    });
  });
})();
