// The volunteer's route on a Leaflet map (local assets; tiles only when configured).
// Progressive enhancement: the ordered list above the map is the route; the map only draws it.
(function () {
  "use strict";
  var el = document.getElementById("route-map");
  var data = document.getElementById("route-points");
  if (!el || !data || typeof L === "undefined") return;
  var points = JSON.parse(data.textContent);
  if (!points.length) return;
  el.hidden = false;
  var tiles = el.getAttribute("data-tiles");
  var map = L.map(el, {
    zoomControl: false,
    attributionControl: Boolean(tiles),
    keyboard: false,
    scrollWheelZoom: false,
  });
  if (tiles) {
    L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
  }
  var line = points.map(function (p) { return [p.lat, p.lon]; });
  L.polyline(line, { color: "#0b5cad", weight: 4, interactive: false }).addTo(map);
  points.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], {
      radius: 10, color: "#0b5cad", fillColor: p.start ? "#ffffff" : "#0b5cad",
      fillOpacity: 1, interactive: false,
    }).bindTooltip(p.label, { permanent: true, direction: "right", interactive: false })
      .addTo(map);
  });
  map.fitBounds(L.latLngBounds(line), { padding: [32, 32], maxZoom: 18 });
})();
