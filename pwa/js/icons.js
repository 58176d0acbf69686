/** Line icons (24×24, stroke) drawn as SVG nodes; decorative, so hidden from screen readers. */
import { svg } from "./dom.js";

const PATHS = {
  home: ["M3 11 12 3l9 8", "M5 10v10h5v-6h4v6h5V10"],
  camera: ["M4 8h3l2-3h6l2 3h3v11H4z", "M12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z"],
  discuss: ["M4 5h12v9H9l-4 3v-3H4z", "M16 9h4v8h-1v3l-4-3h-4v-2"],
  message: ["M3 6h18v12H3z", "m3 7 9 6 9-6"],
  person: ["M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z", "M4 21c1-4 4-6 8-6s7 2 8 6"],
  back: ["M15 5l-7 7 7 7"],
  pin: ["M9 3h6l-1 6 4 4H6l4-4z", "M12 13v8"],
  location: ["M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12z", "M12 11.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z"],
  search: ["M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13z", "m15.5 15.5 5 5"],
  plus: ["M12 5v14", "M5 12h14"],
  check: ["m5 12 5 5 9-10"],
  clock: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 7v5l3 3"],
  offline: ["M2 8.5a15 15 0 0 1 20 0", "M5 12a10 10 0 0 1 14 0", "M8.5 15.5a5 5 0 0 1 7 0", "M3 3l18 18"],
  chevron: ["m9 5 7 7-7 7"],
};

export function icon(name, className = "icon") {
  return svg(
    "svg",
    { class: className, viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" },
    ...(PATHS[name] || []).map((d) => svg("path", { d })),
  );
}
