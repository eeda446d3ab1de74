/* The printable page's Print button (the page works without it: the browser's own Print does the same). */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
}());
