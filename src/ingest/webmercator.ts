/** Web-mercator (EPSG:3857) tile arithmetic. */

/** Half the extent of the web-mercator square (EPSG:3857), metres. */
const E = 20037508.342789244;

/** The EPSG:3857 box of XYZ tile z/x/y (row 0 at the north): x0, y0, x1, y1. */
export function tileBounds(z: number, x: number, y: number): [number, number, number, number] {
  const size = (2 * E) / 2 ** z;
  return [-E + x * size, E - (y + 1) * size, -E + (x + 1) * size, E - y * size];
}

/** The XYZ tile (column, row) at zoom z holding the EPSG:3857 point (x, y), clamped to the zoom's range. */
export function tileAt(z: number, x: number, y: number): [number, number] {
  const size = (2 * E) / 2 ** z;
  const clamp = (v: number) => Math.min(2 ** z - 1, Math.max(0, Math.floor(v)));
  return [clamp((x + E) / size), clamp((E - y) / size)];
}
