// A table wider than a phone scrolls sideways inside its own box (.table in site.css); a box that scrolls is
// made reachable from the keyboard (and named by its caption), as people who do not touch need to scroll it too.
function markScrollingTables(root) {
  root.querySelectorAll("table.table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) table.setAttribute("tabindex", "0");
    else table.removeAttribute("tabindex");
  });
}
document.addEventListener("DOMContentLoaded", function () { markScrollingTables(document); });
document.addEventListener("htmx:afterSwap", function (event) { markScrollingTables(event.target); });
