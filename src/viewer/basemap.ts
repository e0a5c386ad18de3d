/**
 * An optional base map under the map view: a MapLibre map that deck.gl's camera drives (deck.gl keeps
 * control; the map is drawn underneath, not interactive). MapLibre is loaded only when a base map is
 * asked for, so the viewer stays small and offline without one.
 */

/** The camera a base map follows: deck.gl's map view state. */
export interface BaseMapCamera {
  longitude: number;
  latitude: number;
  zoom: number;
  bearing: number;
  pitch: number;
  /** Altitude (m) of the point looked at: the map is drawn at it, like the ground the city stands on. */
  elevation: number;
}

/** Where a base map comes from: a style URL or raster tile template, and the credit its tiles need. */
export interface BaseMapSource {
  url: string;
  /** Shown on the map (a style document brings its own; a tile template has none unless given). */
  attribution?: string;
}

/** A base map drawn under a deck.gl canvas. */
export interface BaseMap {
  /** Move the map to deck.gl's camera. */
  follow(camera: BaseMapCamera): void;
  /** Tiles requested and not yet drawn: false once the map has drawn what it shows. */
  loading(): boolean;
}

/**
 * A MapLibre style for `source`: a style document's URL as it is, or a raster tile URL template
 * (`{z}/{x}/{y}`, optionally `{s}`-less) as a one-layer raster style.
 *
 * @example
 * ```ts
 * styleFor('https://tile.openstreetmap.org/{z}/{x}/{y}.png'); // a raster style
 * styleFor('https://demotiles.maplibre.org/style.json');      // the URL itself
 * ```
 */
export function styleFor(source: string, attribution = ''): string | Record<string, unknown> {
  if (!/\{z\}/.test(source)) return source;
  // OpenStreetMap's own tiles: their licence's credit; zoom 19 is the deepest most raster services draw
  // (MapLibre enlarges it beyond, instead of asking for tiles that do not exist)
  const credit = attribution || (/^https?:\/\/([a-c]\.)?tile\.openstreetmap\.org\//.test(source) ? '© OpenStreetMap contributors' : '');
  return {
    version: 8,
    sources: { base: { type: 'raster', tiles: [source], tileSize: 256, maxzoom: 19, attribution: credit } },
    layers: [{ id: 'base', type: 'raster', source: 'base' }],
  };
}

/**
 * Put a base map under the deck.gl canvas in `parent` (its first child, filling it), drawn at `pixelRatio`
 * device pixels per CSS pixel. The map's own attribution stays visible, above the canvas.
 */
export async function createBaseMap(parent: HTMLElement, source: BaseMapSource, camera: BaseMapCamera, pixelRatio: number): Promise<BaseMap> {
  const [{ Map: MapLibreMap, setWorkerUrl }, worker] = await Promise.all([
    import('maplibre-gl'),
    // the worker ships as its own file (Vite emits it beside the bundle)
    import('maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url'),
    import('maplibre-gl/dist/maplibre-gl.css'),
  ]);
  setWorkerUrl(worker.default);
  const el = document.createElement('div');
  el.className = 'basemap';
  el.style.cssText = 'position:absolute;inset:0';
  parent.insertBefore(el, parent.firstChild);
  const map = new MapLibreMap({
    container: el,
    style: styleFor(source.url, source.attribution) as never,
    interactive: false,
    // the credit stays written out, on a phone too (compact folds it behind a button)
    attributionControl: { compact: false },
    maxPitch: 85,
    center: [camera.longitude, camera.latitude],
    zoom: camera.zoom,
    bearing: camera.bearing,
    pitch: camera.pitch,
    canvasContextAttributes: { preserveDrawingBuffer: true },
    pixelRatio,
  } as never);
  let last = '';
  return {
    follow(c) {
      const key = [c.longitude, c.latitude, c.zoom, c.bearing, c.pitch, c.elevation].join();
      if (key === last) return;
      last = key;
      map.jumpTo({ center: [c.longitude, c.latitude], zoom: c.zoom, bearing: c.bearing, pitch: Math.min(c.pitch, 85), elevation: c.elevation } as never);
    },
    loading: () => !map.loaded() || !map.areTilesLoaded(),
  };
}
