// The search page: leave empty fields (and the radius and position, unless a place is chosen) out of the
// address, so it stays shareable; "near me" asks the browser for the position only when the person chooses
// it. The parameters are those of GET /api/v1/search.
document.addEventListener("htmx:configRequest", function (event) {
  var params = event.detail.parameters;
  var place = params["near"];
  Object.keys(params).forEach(function (name) {
    var unused = (name === "radius_km" && !place) || ((name === "lat" || name === "lng") && place !== "location");
    if (params[name] === "" || unused) delete params[name];
  });
});
document.addEventListener("change", function (event) {
  if (event.target.name !== "near" || event.target.value !== "location" || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (pos) {
    document.getElementById("lat").value = pos.coords.latitude.toFixed(4);
    document.getElementById("lng").value = pos.coords.longitude.toFixed(4);
    htmx.trigger("#search-form", "submit");
  });
});
// Leaving for a result does not search again: the query box's `change` (it fires on blur, when the person
// taps a result) is left to the `input` that already searched, and once the page is being left pending
// searches are dropped and none starts (on a slow connection each would compete with the listing's page and
// rewrite the address of a page being left).
var leaving = false;
document.addEventListener("DOMContentLoaded", function () {
  var query = document.getElementById("q");
  if (query) query.addEventListener("change", function (event) { event.stopPropagation(); });
});
window.addEventListener("beforeunload", function () {
  leaving = true;
  var form = document.getElementById("search-form");
  if (form) htmx.trigger(form, "htmx:abort");
});
window.addEventListener("pageshow", function () { leaving = false; });
document.addEventListener("htmx:beforeRequest", function (event) {
  if (leaving) event.preventDefault();
});
// While results load, the results region is busy (assistive technologies wait for it); the visible sign is
// the form's hx-indicator, and the count is announced by #anuncio once the results are in.
function setBusy(event, busy) {
  var results = document.getElementById("resultados");
  if (results && event.detail.target === results) results.setAttribute("aria-busy", busy ? "true" : "false");
}
document.addEventListener("htmx:beforeRequest", function (event) { if (!event.defaultPrevented) setBusy(event, true); });
document.addEventListener("htmx:afterRequest", function (event) { setBusy(event, false); });
