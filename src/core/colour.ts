/**
 * Colour helpers shared by the stages that make and write materials.
 *
 * @example
 * ```ts
 * hexToLinear('#ffffff'); // [1, 1, 1]
 * ```
 */

/** Parse `#rrggbb` into linear-space RGB (glTF base colours are linear). */
export function hexToLinear(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return [lin((n >> 16) & 255), lin((n >> 8) & 255), lin(n & 255)];
}
