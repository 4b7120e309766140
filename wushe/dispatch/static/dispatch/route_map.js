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
  // The street's (or community's) outline, for orientation without tiles: drawn when the
  // area has one, else the hull of its buildings (dashed).
  var outline = document.getElementById("route-outline");
  if (outline) {
    L.geoJSON(JSON.parse(outline.textContent), {
      interactive: false,
      style: function (f) {
        var drawn = f.properties && f.properties.drawn;
        return {
          color: "#555555", weight: f.properties.kind === "area" ? 2 : 1,
          dashArray: drawn ? null : "6 4", fillColor: "#0b5cad", fillOpacity: 0.04,
          className: "route-outline",
        };
      },
    }).addTo(map).bringToBack();  // under the route
  }
})();
