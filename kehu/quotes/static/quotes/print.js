/* The print page's Print button: a file, not an onclick attribute, so the page runs under the
   Content-Security-Policy that forbids inline scripts. */
document.addEventListener("click", function (event) {
  "use strict";
  if (event.target.closest("[data-print]")) window.print();
});
