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
