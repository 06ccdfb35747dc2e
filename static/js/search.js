// The search page: leave empty fields (and the radius, unless a place is chosen) out of the address, so it
// stays shareable; "near me" asks the browser for the position only when the person chooses it.
document.addEventListener("htmx:configRequest", function (event) {
  var params = event.detail.parameters;
  var place = params["cerca"];
  Object.keys(params).forEach(function (name) {
    if (params[name] === "" || (name === "radio" && !place)) delete params[name];
  });
});
document.addEventListener("change", function (event) {
  if (event.target.name !== "cerca" || event.target.value !== "ubicacion" || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (pos) {
    document.getElementById("lat").value = pos.coords.latitude.toFixed(4);
    document.getElementById("lng").value = pos.coords.longitude.toFixed(4);
    htmx.trigger("#search-form", "submit");
  });
});
