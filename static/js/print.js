// Buttons marked data-print print the page (no inline handlers: the Content-Security-Policy forbids them).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
