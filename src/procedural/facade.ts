import type { BuildingParams } from '../core/types.js';

/**
 * A facade look: one window bay of one storey, drawn as a small texture that repeats along every wall
 * (texture coordinates in bays and storeys) and is multiplied by the wall's own colour: the wall stays
 * the building's colour, the windows come out as dark glass tinted by it.
 */
export interface FacadeLook {
  /** Name, the texture's and the material's (`facade:<name>`). */
  name: string;
  /** Width of one window bay (m): a wall gets the whole number of bays nearest its length / this. */
  bay: number;
  /** Window width and height as shares of the bay and the storey; the sill's height as a share of the storey. */
  window: { width: number; height: number; sill: number };
  /** Glass and frame colours (sRGB, 0–255) before the wall colour multiplies them. */
  glass: [number, number, number];
  frame: [number, number, number];
}

/** The looks: plain windows for homes, wider ones for shops and offices, a glass curtain wall for glass. */
export const FACADE_LOOKS: Readonly<Record<string, FacadeLook>> = {
  residential: { name: 'residential', bay: 3, window: { width: 0.42, height: 0.5, sill: 0.3 }, glass: [62, 72, 84], frame: [236, 236, 236] },
  commercial: { name: 'commercial', bay: 3.5, window: { width: 0.7, height: 0.55, sill: 0.25 }, glass: [70, 84, 98], frame: [205, 208, 212] },
  glass: { name: 'glass', bay: 1.5, window: { width: 0.92, height: 0.86, sill: 0.07 }, glass: [96, 128, 150], frame: [150, 156, 162] },
};

/** Storey height (m) when a building has no `building:levels`. */
export const DEFAULT_STOREY = 3;

/** What walls need to lay out a facade: the look, its bay and the storey height (m). */
export interface FacadeWalls {
  look: string;
  bay: number;
  storey: number;
}

/**
 * A building's facade: the look by its type and material, and its storey height from `building:levels`
 * (the walls' height shared among them) or {@link DEFAULT_STOREY}.
 *
 * @example
 * ```ts
 * facadeOf(params); // { look: 'residential', bay: 3, storey: 2.9 }
 * ```
 */
export function facadeOf(p: BuildingParams, wallTop: number): FacadeWalls {
  const type = (p.kind ?? '').toLowerCase();
  const material = (p.material ?? '').toLowerCase();
  const look = material === 'glass' ? 'glass' : /^(commercial|retail|office|industrial|supermarket|warehouse|kiosk)$/.test(type) || p.attributes['shop'] != null ? 'commercial' : 'residential';
  const walls = wallTop - p.minHeight;
  const levels = p.levels !== null && p.levels > 0 ? p.levels - (p.minLevel ?? 0) : 0;
  const storey = levels > 0 && walls / levels >= 2 && walls / levels <= 6 ? walls / levels : DEFAULT_STOREY;
  return { look, bay: FACADE_LOOKS[look].bay, storey };
}

/**
 * The texture of a look: RGBA pixels of one bay × one storey (`width` × `height`, rows top down), white
 * wall around a framed window. Its first and last columns are wall: a wall too short for a window samples
 * there.
 */
export function facadeTexture(look: FacadeLook, width = 32, height = 32): { width: number; height: number; rgba: Uint8Array } {
  const rgba = new Uint8Array(4 * width * height).fill(255);
  const w = Math.round(look.window.width * width), h = Math.round(look.window.height * height);
  const x0 = Math.max(1, Math.round((width - w) / 2)), x1 = Math.min(width - 1, x0 + w);
  const yBottom = height - Math.round(look.window.sill * height), yTop = Math.max(1, yBottom - h);
  for (let y = yTop; y < yBottom; y++)
    for (let x = x0; x < x1; x++) {
      const edge = x === x0 || x === x1 - 1 || y === yTop || y === yBottom - 1;
      const c = edge ? look.frame : look.glass;
      rgba.set([c[0], c[1], c[2], 255], 4 * (y * width + x));
    }
  return { width, height, rgba };
}
