/** Maps for reports, on the vendored Leaflet (loaded here, on first use): grid polygons and report dots are
 * vector layers, so a map works with no tile server at all; tiles come only from MAP_TILE_URL. */
import { api } from "./api.js";
import { h } from "./dom.js";
import { flatten, regionTree } from "./regions.js";

const LEAFLET = "/vendor/leaflet/src/Leaflet.js";
const LEAFLET_CSS = "/vendor/leaflet/leaflet.css";

let loading = null;

export function loadLeaflet() {
  if (!loading) {
    if (!document.querySelector(`link[href="${LEAFLET_CSS}"]`)) {
      document.head.append(h("link", { rel: "stylesheet", href: LEAFLET_CSS }));
    }
    loading = Promise.all([import(LEAFLET), api("/map-settings", { auth: false }).catch(() => ({}))])
      .then(([L, settings]) => ({ L, settings }))
      .catch((err) => {
        loading = null;
        throw err;
      });
  }
  return loading;
}

const GRID_STYLE = { color: "#0b5cad", weight: 2, fillOpacity: 0.06 };

/** A map in `el` with the optional tile layer and every grid drawn; resolves to {L, map, grids}. */
export async function baseMap(el, { lat, lng, zoom = 16 } = {}) {
  const { L, settings } = await loadLeaflet();
  el.classList.add("map");
  const map = new L.LeafletMap(el, { zoomControl: true, attributionControl: Boolean(settings.tile_url) });
  if (settings.tile_url) {
    new L.TileLayer(settings.tile_url, { attribution: settings.attribution || "", maxZoom: settings.max_zoom || 19 }).addTo(map);
  }
  const features = flatten(await regionTree().catch(() => []))
    .filter((row) => row.node.level === "grid" && row.node.boundary)
    .map((row) => ({ type: "Feature", properties: { name: row.node.name }, geometry: row.node.boundary }));
  const grids = new L.GeoJSON({ type: "FeatureCollection", features }, { style: () => GRID_STYLE, interactive: false }).addTo(map);
  if (lat != null && lng != null) map.setView([lat, lng], zoom);
  else if (features.length) map.fitBounds(grids.getBounds());
  else map.setView([22.55, 113.88], 13);
  // The box may have just been laid out (shown on demand): let Leaflet measure it again.
  requestAnimationFrame(() => map.invalidateSize());
  return { L, map, grids };
}

/** The report form's pin: drag it, or tap the map to move it; `onMove(lat, lng)` hears each change. */
export async function pinMap(el, start, onMove) {
  const { L, map } = await baseMap(el, start);
  const icon = new L.DivIcon({ className: "pin-icon", html: h("span", { class: "pin-dot" }), iconSize: [32, 32], iconAnchor: [16, 30] });
  const centre = map.getCenter();
  const marker = new L.Marker([start.lat ?? centre.lat, start.lng ?? centre.lng], { draggable: true, icon, keyboard: true })
    .addTo(map);
  marker.on("dragend", () => {
    const p = marker.getLatLng();
    onMove(p.lat, p.lng);
  });
  map.on("click", (event) => {
    marker.setLatLng(event.latlng);
    onMove(event.latlng.lat, event.latlng.lng);
  });
  return {
    remove: () => map.remove(),
    setPin(lat, lng) {
      marker.setLatLng([lat, lng]);
      map.panTo([lat, lng]);
    },
  };
}

export const STATUS_COLORS = {
  submitted: "#c0392b", accepted: "#d35400", in_progress: "#d4a017", resolved: "#1e8449", closed: "#5d6d7e",
  rejected: "#7f8c8d",
};

/** Report dots for the part of the map on screen, refetched as it moves; `popup(point)` builds a popup node. */
export function reportLayer(L, map, popup) {
  const layer = new L.LayerGroup().addTo(map);
  let generation = 0;
  async function load() {
    const mine = ++generation;
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((n) => n.toFixed(5)).join(",");
    let page;
    try {
      page = await api("/reports/public", { query: { bbox, limit: 500 }, auth: false });
    } catch {
      return;
    }
    if (mine !== generation) return;
    layer.clearLayers();
    for (const point of page.data) {
      new L.CircleMarker([point.lat, point.lng], {
        radius: 9, color: "#fff", weight: 2, fillColor: STATUS_COLORS[point.status] || "#333", fillOpacity: 0.9,
      }).bindPopup(popup(point)).addTo(layer);
    }
    map.getContainer().dataset.points = String(page.data.length);
  }
  map.on("moveend", load);
  load();
  return layer;
}
