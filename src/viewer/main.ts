import { drawn } from './frames.js';
import { throttled } from './throttle.js';
import { contactStrength, loadCity, type CityModel } from './model.js';
import { ModelView } from './model-view.js';
import { buildingSpot, onCanvasClick, onPointerHover, orbitOf, panelCover, pickNear, spotDistance, topCentre, type CameraState } from './stage.js';
import { MapViewer, TilesetMapViewer } from './map-view.js';
import { isMergedBlock, revealLegendEntry, showAbout, showShownCount, showTilesetAbout, showAttribution, showCredit, showLegend, showLooking, showSelection, showStats, showStyling, showTilesDrawn, showTilesetStats, showTooltip } from './panel.js';
import type { ColumnStats } from '../core/types.js';
import { findBucket, findKey, findKeyWithAccents, REFERENCE_ATTRIBUTE, type FindEntry } from '../core/find.js';
import { styleColumns, styleColumnsOfStats, stylingFor, stylingForStats, type Styling } from './style-by.js';
import { TilesetView, type TileHit } from './tiles-view.js';
import * as THREE from 'three';
import { NavOverlay } from './nav.js';
import type { BaseMapSource } from './basemap.js';

/** Hooks for tests and scripts (and curious users in the console). */
interface CityforgeHooks {
  ready: boolean;
  error: string | null;
  webgl2: boolean;
  view: 'model' | 'map';
  selected: number | null;
  /** The selected building's id (its property table's `id`). */
  selectedId: string | null;
  /** The id of the building under the pointer (highlighted), or null. */
  hoveredId: string | null;
  model?: CityModel;
  /** Page position of building `id`'s roof centre in the current view. */
  screenPositionOf(id: number): { x: number; y: number } | null;
  /** Switch views. */
  toggle(): void;
  /** JS milliseconds of each hover that changed the highlight (pick, highlight, draw call). */
  hoverTimes: number[];
  /** The colour-by in use: its column and legend, or null. */
  styling?: { column: string; legend: { label: string; colour: [number, number, number] }[] } | null;
  /** The model view's camera: position, tilt from the vertical, height above the ground under it. */
  cameraState(): CameraState | null;
  /** The model view's distance from the camera to the surface under page point (x, y), or null. */
  distanceAt?: (x: number, y: number) => number | null;
  /** The model view's nearest approach to a surface (metres): wheel steps stop there. */
  minDistance?: number;
  /** Buildings the legend's filter shows (null: no filter). */
  visibleCount?: number | null;
  /** Draw the model view's contact shading (walls darkening towards their foot) or not; redraws. */
  setContactShading(on: boolean): void;
  /** Whether the map view's base map is still loading (false without one, or in the model view). */
  baseMapLoading(): Promise<boolean>;
  /** What the compass and scale bar show. */
  nav(): { bearing: number; metresPerPixel: number; barMetres: number; barPixels: number } | null;
  /**
   * Whether the view on screen has drawn since it came on and then drew nothing over three animation
   * frames: what a test waits for before reading pixels or the camera, instead of a fixed time.
   */
  quiet(): Promise<boolean>;
  /** Frames drawn so far by each view, and shadow maps drawn by the three.js views. */
  frameCounts(): { model: number; map: number; shadows: number };
}

const hooks: CityforgeHooks = {
  ready: false,
  error: null,
  webgl2: !!document.createElement('canvas').getContext('webgl2'),
  view: 'model',
  selected: null,
  selectedId: null,
  hoveredId: null,
  screenPositionOf: () => null,
  toggle: () => {},
  hoverTimes: [],
  cameraState: () => null,
  nav: () => null,
  baseMapLoading: async () => false,
  setContactShading: () => {},
  frameCounts: () => ({ ...drawn }),
  quiet: async () => {
    const v = hooks.view;
    if (drawn[v] <= shownSince) return false;
    const f = drawn[v];
    for (let k = 0; k < 3; k++) await new Promise((r) => requestAnimationFrame(r));
    return hooks.view === v && drawn[v] === f;
  },
};

/** The view's frame count when it came on (see {@link CityforgeHooks.quiet}). */
let shownSince = 0;

/** Switch `hooks.view` to the other view; it counts as drawn once it draws again. */
function switchView(): void {
  hooks.view = hooks.view === 'model' ? 'map' : 'model';
  shownSince = drawn[hooks.view];
}
(window as unknown as { cityforge: CityforgeHooks }).cityforge = hooks;

/** The panel's collapse button: on a small screen the city gets the whole width back. */
function collapsible(): void {
  const panel = document.getElementById('panel')!;
  const btn = document.getElementById('collapse') as HTMLButtonElement;
  const set = (collapsed: boolean) => {
    panel.classList.toggle('collapsed', collapsed);
    btn.textContent = collapsed ? '+' : '–';
    btn.setAttribute('aria-expanded', String(!collapsed));
    btn.setAttribute('aria-label', collapsed ? 'Show the panel' : 'Hide the panel');
    showCredit();
    // tooltip-over-the-panel: a tap's tooltip names the building while the panel is folded; unfolded, the
    // panel names it (the tooltip covered its rows)
    const tip = document.getElementById('tooltip');
    if (tip && !collapsed) tip.hidden = true;
  };
  btn.addEventListener('click', () => set(!panel.classList.contains('collapsed')));
  // a phone in portrait starts with the panel folded
  set(window.innerWidth < 600);
}

/** Where the pointer is (page pixels), whether it is over one of `views`, and its buttons: kept up to date. */
function trackPointer(views: HTMLElement[]): { x: number; y: number; over: boolean; buttons: number } {
  const pointer = { x: 0, y: 0, over: false, buttons: 0 };
  const track = (e: PointerEvent) => {
    [pointer.x, pointer.y, pointer.buttons] = [e.clientX, e.clientY, e.buttons];
    pointer.over = e.target instanceof Node && views.some((v) => v.contains(e.target as Node));
  };
  window.addEventListener('pointermove', track);
  window.addEventListener('pointerdown', track);
  window.addEventListener('pointerup', track);
  return pointer;
}

async function main(): Promise<void> {
  collapsible();
  const params = new URLSearchParams(location.search);
  let url = params.get('glb');
  const cfg = (await fetch('./config.json').then((r) => (r.ok ? r.json() : {})).catch(() => ({}))) as { glb?: string; tileset?: string; basemap?: string; basemapAttribution?: string; built?: string; name?: string };
  // a base map under the map view: `view --basemap`, or ?basemap= (a style URL or a raster tile template),
  // with its credit (--basemap-attribution, ?basemap-attribution=)
  const baseUrl = params.get('basemap') ?? cfg.basemap ?? null;
  const basemap: BaseMapSource | null = baseUrl ? { url: baseUrl, attribution: params.get('basemap-attribution') ?? cfg.basemapAttribution ?? undefined } : null;
  const tilesetUrl = params.get('tileset') ?? (url ? null : cfg.tileset ?? null);
  // tileset-panel-named-data: the panel names the tileset's folder as the user knows it, not the served path
  // (the name and date config.json gives are of its own tileset, not of one named in the address)
  const ownTileset = tilesetUrl === cfg.tileset;
  if (tilesetUrl) return showTileset(tilesetUrl, basemap, ownTileset ? (cfg.name ?? null) : null, ownTileset ? (cfg.built ?? null) : null);
  url ??= cfg.glb ?? 'model.glb';
  const model = await loadCity(url);
  hooks.model = model;
  showStats(model, url);
  showAttribution(model.copyright);
  const modelEl = document.getElementById('view-model')!;
  const mapEl = document.getElementById('view-map')!;
  const modelView = new ModelView(modelEl, model, { coveredRight: panelCover() });
  let mapView: MapViewer | null = null;
  // compass and scale bar, following the active view; the compass turns it north up
  const nav = new NavOverlay(() => (hooks.view === 'model' ? modelView.northUp() : mapView?.northUp()));
  hooks.nav = () => nav.state;
  modelView.onView = () => {
    if (hooks.view === 'model') nav.update(modelView.navState());
  };
  showAbout(model, url === (cfg.glb ?? 'model.glb') ? (cfg.built ?? null) : null);
  let hovered: number | null = null;
  // part-selected-not-highlighted: a part is drawn under its building's feature id, so selecting one
  // (found by id, or a link) highlights its building
  const rowOfId = new Map<string, number>();
  (model.table['id'] ?? []).forEach((v, k) => rowOfId.set(String(v), k));
  const drawnRow = (id: number | null) => {
    const of = id === null ? null : model.table['part_of']?.[id];
    return of !== null && of !== undefined && of !== '' ? (rowOfId.get(String(of)) ?? id) : id;
  };
  // the selected building stays lit while the pointer tints others on its way
  const paint = () => {
    const sel = drawnRow(hooks.selected), hov = drawnRow(hovered);
    if (hooks.view === 'model') modelView.setHighlight(sel, hov);
    else mapView?.setHighlight(sel, hov);
  };
  const pointer = trackPointer([modelEl, mapEl]);
  const select = (id: number | null) => {
    hooks.selected = id;
    hooks.selectedId = id === null ? null : String(model.table['id']?.[id]);
    showSelection(model, id);
    paint();
    writeHash();
    // tap-had-no-feedback: with the panel folded (a phone), what was picked is named where it was tapped
    if (document.getElementById('panel')!.classList.contains('collapsed')) showTooltip(model, id, pointer.x, pointer.y);
  };
  const hover = (id: number | null) => {
    if (id === hovered) return;
    hovered = id;
    hooks.hoveredId = id === null ? null : String(model.table['id']?.[id]);
    paint();
    showTooltip(model, id, pointer.x, pointer.y);
  };
  // JS time of each hover (pick + highlight + draw call), for tests and the bench
  const timedHover = (pick: () => number | null) => {
    const t0 = performance.now();
    const id = pick();
    const changed = id !== hovered;
    hover(id);
    if (changed) hooks.hoverTimes.push(performance.now() - t0);
  };
  // a click selects; the end of a drag (orbit, pan) does not; a double-click flies closer to what is under it
  onCanvasClick(modelView.renderer.domElement, (x, y) => select(pickNear((px, py) => modelView.pick(px, py), x, y)));
  modelView.renderer.domElement.addEventListener('dblclick', (e) => modelView.focusAt(e.clientX, e.clientY));
  onPointerHover(modelView.renderer.domElement, (x, y) => timedHover(() => modelView.pick(x, y)));
  // hover-stale-after-zoom: the camera moved under a resting pointer (wheel, keys, home): pick again there
  let repick = 0;
  const repickHover = () => {
    if (repick || !pointer.over || pointer.buttons) return;
    repick = requestAnimationFrame(() => {
      repick = 0;
      if (hooks.view === 'model') timedHover(() => modelView.pick(pointer.x, pointer.y));
      else if (mapView) {
        const mv = mapView, r = mapEl.getBoundingClientRect();
        timedHover(() => mv.pick(pointer.x - r.left, pointer.y - r.top));
      }
    });
  };
  modelView.controls.addEventListener('change', repickHover);
  // tooltip-stayed-after-a-drag: a press (an orbit, a pan, a tap) clears the hover and its tooltip; a mouse
  // released over the view picks again what now rests under it
  for (const el of [modelEl, mapEl]) {
    el.addEventListener('pointerdown', () => hover(null));
    el.addEventListener('pointerup', (e) => e.pointerType === 'mouse' && repickHover());
  }
  window.addEventListener('resize', () => modelView.resize());
  const toggleBtn = document.getElementById('toggle') as HTMLButtonElement;
  hooks.toggle = () => {
    // what was under the pointer in one view is not under it in the other: no stale tooltip (a tap's
    // tooltip, shown by the selection, either: tap-tooltip-stayed-after-switching)
    hover(null);
    showTooltip(model, null, 0, 0);
    // view-switch-lost-the-camera: the other view looks from where this one did
    const camera = hooks.view === 'model' ? modelView.viewCamera() : (mapView?.viewCamera() ?? null);
    switchView();
    modelEl.hidden = hooks.view !== 'model';
    mapEl.hidden = hooks.view !== 'map';
    toggleBtn.textContent = hooks.view === 'model' ? 'Map view' : 'Model view';
    if (hooks.view === 'map' && !mapView) {
      mapView = new MapViewer(mapEl, model, select, (pick) => timedHover(pick), basemap);
      const mv: MapViewer = mapView;
      mv.onView = () => {
        const s = hooks.view === 'map' ? mv.navState() : null;
        if (s) nav.update(s);
        if (hooks.view === 'map') {
          writeHash();
          repickHover();
        }
      };
      if (styling) mapView.setColours(styling.colourOf, styling.column);
      if (visibleNow) mapView.setVisible(visibleNow);
    }
    if (hooks.view === 'model') {
      paint();
      modelView.resize();
      if (camera) modelView.setViewCamera(camera);
    } else {
      if (camera) mapView!.setViewCamera(camera);
      paint();
      const s = mapView!.navState();
      if (s) nav.update(s);
    }
    writeHash();
  };
  toggleBtn.addEventListener('click', () => hooks.toggle());
  hooks.baseMapLoading = async () => (hooks.view === 'map' && mapView ? mapView.baseMapLoading() : false);
  hooks.setContactShading = (on) => {
    contactStrength.value = on ? 1 : 0;
    modelView.render();
  };
  hooks.cameraState = () => modelView.cameraState();
  hooks.distanceAt = (x, y) => modelView.distanceAt(x, y);
  hooks.minDistance = modelView.controls.minDistance;
  // find a building by name, id or reference: select it and fly to it
  // an exact id or name first; else the names, then the ids, that contain the query (how many do is said)
  // the columns a query is compared with, as find keys (find-needed-the-accents: without accents, as the
  // tileset's index is), made once at the first query: the ids, the names and the source's own identifiers
  // (find-by-ref: `ref`, `gml_id`, `osm_id`, `identificatie`, …)
  let keyed: { ids: string[]; names: string[]; refs: string[][] } | null = null;
  const keysOf = (col: unknown[] | undefined) => Array.from({ length: model.rows }, (_, i) => (col?.[i] === null || col?.[i] === undefined ? '' : findKey(String(col[i]))));
  const find = (query: string): { id: number; partial: number } | null => {
    const q = findKey(query);
    if (!q) return null;
    keyed ??= { ids: keysOf(model.table['id']), names: keysOf(model.table['name']), refs: Object.keys(model.table).filter((k) => k !== 'id' && REFERENCE_ATTRIBUTE.test(k)).map((k) => keysOf(model.table[k])) };
    const { ids, names, refs } = keyed;
    for (const test of [(i: number) => ids[i] === q, (i: number) => names[i] === q, (i: number) => refs.some((col) => col[i] === q)])
      for (let i = 0; i < model.rows; i++) if (test(i)) return { id: i, partial: 0 };
    for (const test of [(i: number) => names[i].includes(q), (i: number) => ids[i].includes(q), (i: number) => refs.some((col) => col[i].includes(q))]) {
      // find-counted-parts: a building and its parts matching count once (their building's row)
      let first = -1;
      const matched = new Set<number>();
      for (let i = 0; i < model.rows; i++)
        if (test(i)) {
          if (first < 0) first = i;
          matched.add(drawnRow(i) ?? i);
        }
      if (first >= 0) return { id: first, partial: matched.size };
    }
    return null;
  };
  const flyTo = (id: number) => {
    if (hooks.view === 'model') modelView.flyTo(id);
    else {
      const spot = buildingSpot(model.buildingMeshes, id);
      if (spot) mapView?.flyTo(new THREE.Vector3(spot.centre.x, -spot.centre.z, spot.centre.y), spot.distance);
    }
  };
  const searchResult = document.getElementById('search-result')!;
  document.getElementById('search')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = (document.getElementById('search-input') as HTMLInputElement).value;
    const found = find(q);
    hover(null);
    if (found === null) {
      searchResult.textContent = q.trim() ? `No building matches “${q.trim()}”.` : '';
      return;
    }
    const { id, partial } = found;
    const label = String(model.table['name']?.[id] || model.table['id']?.[id]);
    searchResult.textContent = partial === 0 ? '' : partial === 1 ? `No exact match; showing ${label}.` : `No exact match; ${partial.toLocaleString('en-US')} buildings contain “${q.trim()}”, showing the first: ${label}.`;
    // found-building-was-hidden: a building the legend's filter hides is shown again with its entry (a
    // flight to an empty lot said nothing)
    if (styling && visibleNow && !visibleNow(id) && revealLegendEntry(styling.binOf(id)))
      searchResult.textContent = `${searchResult.textContent} ${label} was hidden by the legend; its entry “${styling.legend[styling.binOf(id)]?.label ?? ''}” is shown again.`.trim();
    flyTo(id);
    // search-target-behind-panel: on a phone the open panel covers the middle of the view, where the
    // building now stands: fold it, and name the building where it stands (the tooltip a tap shows)
    const at = hooks.screenPositionOf(drawnRow(id) ?? id);
    const panel = document.getElementById('panel')!;
    const r = panel.getBoundingClientRect();
    if (at && !panel.classList.contains('collapsed') && at.x >= r.left && at.x <= r.right && at.y >= r.top && at.y <= r.bottom) {
      document.getElementById('collapse')!.click();
      [pointer.x, pointer.y] = [at.x, at.y];
    }
    select(id);
  });
  // the camera and the selection in the address (a link shows the same view)
  const writeHash = hashWriter((p) => {
    if (hooks.selectedId !== null) p.set('b', hooks.selectedId);
    // one camera for both views (the map view's as the model view would look from it)
    const c = hooks.view === 'map' ? mapView?.viewCamera() : null;
    const o = c ? orbitOf(c) : null;
    p.set('cam', o ? [...o.position.toArray(), ...o.target.toArray()].map((v) => Math.round(v * 10) / 10).join(',') : modelView.cameraVector.join(','));
    if (hooks.view === 'map') p.set('view', 'map');
    // link-lost-colour-by: the colouring and the legend's hidden entries travel with the link
    if (styling) p.set('by', styling.column);
    if (styling && hiddenNow.size) p.set('hide', [...hiddenNow].sort((a, b) => a - b).join(','));
  });
  modelView.controls.addEventListener('change', writeHash);
  // a PNG of what the active view shows
  savePngButton(() => (hooks.view === 'model' ? modelEl : mapEl), () => `${(url!.split('/').pop() ?? 'city').replace(/\.glb$/i, '')}-${hooks.view}`);
  // colour by an attribute, the same palette in both views
  let styling: Styling | null = null;
  const applyStyling = () => {
    modelView.setColours(styling ? styling.colourOf : null);
    mapView?.setColours(styling ? styling.colourOf : null, styling?.column);
  };
  // the legend filters: its entries hide and show their buildings, in both views
  let visibleNow: ((id: number) => boolean) | null = null;
  let hiddenNow = new Set<number>();
  const filter = (hidden: Set<number>) => {
    hiddenNow = hidden;
    writeHash();
    const s = styling;
    const visible = s && hidden.size ? (id: number) => !hidden.has(s.binOf(id)) : null;
    visibleNow = visible;
    hooks.visibleCount = visible ? countVisible(model, visible) : null;
    showShownCount(hooks.visibleCount, buildingCount(model));
    modelView.setVisible(visible);
    mapView?.setVisible(visible);
    // hidden-selection-stayed-lit: the selected (or hovered) building hidden by the legend is let go: its
    // highlight was still drawn, and its attributes shown, with the building gone
    // (a part is drawn, and hidden, as its building)
    if (visible && hooks.selected !== null && !visible(drawnRow(hooks.selected)!)) select(null);
    if (visible && hovered !== null && !visible(drawnRow(hovered)!)) hover(null);
  };
  showStyling(styleColumns(model), model.titles, (column) => {
    styling = column ? stylingFor(model, column) : null;
    hooks.styling = styling && { column: styling.column, legend: styling.legend };
    showLegend(styling ? styling.legend : null, filter);
    filter(new Set());
    applyStyling();
  });
  document.getElementById('home')!.addEventListener('click', () => {
    hover(null);
    if (hooks.view === 'model') modelView.resetCamera();
    else mapView?.resetCamera();
  });
  hooks.screenPositionOf = (id) => {
    if (hooks.view === 'model') return modelView.screenPositionOf(id);
    const top = topCentre(model.buildingMeshes, id);
    if (!top || !mapView) return null;
    return mapView.project(new THREE.Vector3(top.x, -top.z, top.y));
  };
  modelView.render();
  // a link: the camera, the selection, the colouring and its filter, and the view it was made in
  // (map-view-had-no-link: a link made in the map view opens in it, looking from the same place)
  const applyLink = (p: URLSearchParams) => {
    if (hooks.view === 'map') hooks.toggle(); // (a link's camera is the model view's)
    const cam = cameraOf(p);
    if (cam) modelView.cameraVector = cam;
    const linked = p.get('b');
    const i = linked === null ? -1 : (model.table['id'] ?? []).findIndex((v) => String(v) === linked);
    if (i >= 0 && i !== hooks.selected) select(i);
    else if (linked === null && hooks.selected !== null) select(null);
    applyColouring(p);
    if (p.get('view') === 'map') hooks.toggle();
  };
  applyLink(new URLSearchParams(location.hash.slice(1)));
  // link-ignored-once-open: a link pasted into the address bar of the open page (or a #fragment link
  // followed) moves the view there (the page's own updates use replaceState, which fires no hashchange)
  window.addEventListener('hashchange', (e) => applyLink(linkOf(e)));
  hooks.ready = true;
}

/**
 * The link a hashchange brought, from the event's own URL: link-ignored-once-open (a CI flake) — a pending
 * address write (replaceState, 350 ms after a change) could run between the person's new
 * address and its hashchange event, and `location.hash` then read the page's old state back.
 */
function linkOf(e: HashChangeEvent): URLSearchParams {
  const hash = new URL(e.newURL).hash;
  return new URLSearchParams(hash.slice(1));
}

/** A link's camera (`cam`: eye x, y, z and target x, y, z in glTF axes), or null when it has none that is usable. */
function cameraOf(p: URLSearchParams): number[] | null {
  const cam = p.get('cam')?.split(',').map(Number);
  return cam && cam.length === 6 && cam.every(Number.isFinite) ? cam : null;
}

/** A link's colouring (`by`) and the legend entries it hides (`hide`): the same choices a person makes in the panel; none when it names none. */
function applyColouring(p: URLSearchParams): void {
  const sel = document.getElementById('colour-by') as HTMLSelectElement | null;
  if (!sel) return;
  const asked = p.get('by') ?? '';
  // (by-title-ignored: `#by=fit:confidence`, the attribute's name as the panel shows it, left the default colours;
  // a column's id is `fit_confidence`: either names it)
  const by = [...sel.options].find((o) => o.value === asked)?.value ?? [...sel.options].find((o) => o.value !== '' && o.textContent?.trim() === asked)?.value;
  if (by === undefined) {
    if (asked) console.warn(`cityforge: #by=${asked}: no such column to colour by`);
    return;
  }
  if (sel.value !== by) {
    sel.value = by;
    sel.dispatchEvent(new Event('change'));
  }
  const hide = new Set((p.get('hide') ?? '').split(',').filter((v) => /^\d+$/.test(v)).map(Number));
  for (const b of document.querySelectorAll<HTMLButtonElement>('#legend button[data-bin]'))
    if (hide.has(Number(b.dataset['bin'])) !== (b.getAttribute('aria-pressed') === 'false')) b.click();
}

/**
 * The page's address written from `fill` at most every 350 ms (camera moves come many a frame; see
 * {@link throttled}): under Safari's limit of 100 address changes in 30 s, which throws past it (and a
 * throw here is only a late address: caught). Returns the trigger.
 */
function hashWriter(fill: (p: URLSearchParams) => void): () => void {
  const write = throttled(() => {
    const p = new URLSearchParams();
    fill(p);
    try {
      history.replaceState(null, '', `#${p.toString()}`);
    } catch {
      // (the browser's own rate limit: the next change writes it)
    }
  }, 350);
  // (a new address from outside wins over the page's pending write of its state before it)
  window.addEventListener('hashchange', () => write.cancel());
  return write.trigger;
}

/**
 * The Save PNG button: every canvas of the active view composed in page order (a base map under the
 * city) over the page's background colour (an opaque picture), downloaded as `<name>.png`.
 */
function savePngButton(view: () => HTMLElement, name: () => string): void {
  document.getElementById('shot')!.addEventListener('click', () => {
    const el = view();
    const canvases = [...el.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
    if (!canvases.length) return;
    const top = canvases[canvases.length - 1];
    const out = document.createElement('canvas');
    out.width = top.width;
    out.height = top.height;
    const ctx = out.getContext('2d')!;
    const bg = getComputedStyle(el).backgroundColor;
    ctx.fillStyle = bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent' ? bg : '#dfe6ee';
    ctx.fillRect(0, 0, out.width, out.height);
    for (const c of canvases) ctx.drawImage(c, 0, 0, out.width, out.height);
    const scale = out.width / (top.clientWidth || out.width);
    stampLegend(ctx, scale);
    stampAttribution(ctx, el, scale);
    out.toBlob((blob) => {
      if (!blob) return;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${name()}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    }, 'image/png');
  });
}

/**
 * The credits a picture owes, written into it bottom right: the data's attribution and the base map's
 * (licences such as ODbL and CC BY ask for them wherever the picture goes).
 */
function stampAttribution(ctx: CanvasRenderingContext2D, view: HTMLElement, scale: number): void {
  const parts = [document.getElementById('attribution'), view.querySelector('.maplibregl-ctrl-attrib-inner')]
    .map((e) => (e && !(e as HTMLElement).hidden ? (e.textContent ?? '').replace(/\s+/g, ' ').trim() : ''))
    .filter((t) => t);
  const text = [...new Set(parts)].join(' · ');
  if (!text) return;
  const size = Math.round(11 * scale), pad = Math.round(4 * scale);
  ctx.font = `${size}px system-ui, sans-serif`;
  const w = Math.min(ctx.measureText(text).width, ctx.canvas.width - 2 * pad);
  ctx.fillStyle = 'rgba(255,255,255,0.8)';
  ctx.fillRect(ctx.canvas.width - w - 2 * pad, ctx.canvas.height - size - 2 * pad, w + 2 * pad, size + 2 * pad);
  ctx.fillStyle = '#223';
  ctx.textBaseline = 'bottom';
  ctx.fillText(text, ctx.canvas.width - w - pad, ctx.canvas.height - pad, w);
}

/**
 * The colour-by's legend, written into a picture top left as the panel shows it: the column's title, then
 * a swatch and a label per entry, entries the filter hides faded and struck through (png-lost-the-legend:
 * a picture coloured by height did not say what its colours meant). Nothing without a colour-by.
 */
function stampLegend(ctx: CanvasRenderingContext2D, scale: number): void {
  const list = document.getElementById('legend');
  if (!list || list.hidden) return;
  const entries = [...list.querySelectorAll('li')].map((li) => ({
    colour: (li.querySelector('.swatch') as HTMLElement | null)?.style.background ?? '#888',
    label: (li.textContent ?? '').trim(),
    shown: li.querySelector('button')?.getAttribute('aria-pressed') !== 'false',
  }));
  if (!entries.length) return;
  const select = document.getElementById('colour-by') as HTMLSelectElement | null;
  const title = select?.selectedOptions[0]?.textContent?.trim() ?? '';
  const size = Math.round(12 * scale), line = Math.round(17 * scale), pad = Math.round(8 * scale), sw = Math.round(12 * scale);
  ctx.save();
  ctx.font = `${size}px system-ui, sans-serif`;
  const widest = Math.max(ctx.measureText(title).width, ...entries.map((e) => sw + pad / 2 + ctx.measureText(e.label).width));
  const w = Math.min(widest + 2 * pad, ctx.canvas.width / 2), h = (entries.length + (title ? 1 : 0)) * line + 2 * pad - (line - size);
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(pad, pad, w, h);
  ctx.textBaseline = 'top';
  let y = 2 * pad;
  if (title) {
    ctx.fillStyle = '#223';
    ctx.font = `600 ${size}px system-ui, sans-serif`;
    ctx.fillText(title, 2 * pad, y, w - 2 * pad);
    ctx.font = `${size}px system-ui, sans-serif`;
    y += line;
  }
  for (const e of entries) {
    ctx.globalAlpha = e.shown ? 1 : 0.4;
    ctx.fillStyle = e.colour;
    ctx.fillRect(2 * pad, y, sw, sw);
    ctx.fillStyle = '#223';
    const x = 2 * pad + sw + pad / 2;
    ctx.fillText(e.label, x, y, w - (x - pad) - pad);
    if (!e.shown) ctx.fillRect(x, y + sw / 2, Math.min(ctx.measureText(e.label).width, w - (x - pad) - pad), Math.max(1, scale));
    y += line;
  }
  ctx.restore();
}

/** Buildings (not their parts: legend-count-had-parts, 1,220 of Monaco's 1,208) that `visible` shows. */
function countVisible(model: CityModel, visible: (id: number) => boolean): number {
  const partOf = model.table['part_of'];
  let n = 0;
  for (let i = 0; i < model.rows; i++) if (visible(i) && !partOf?.[i]) n++;
  return n;
}

/** Buildings in the model, as the stats line and the build's summary count them (parts apart). */
function buildingCount(model: CityModel): number {
  return countVisible(model, () => true);
}

/** A tile table's row → colour under a tileset's colour-by. */
type TileTableFn<T> = (table: Record<string, (string | number | null)[]>) => (id: number) => T;

/** Each tile's colours under a tileset's colour-by (from the tile's own table). */
const tilesColoured = (s: NonNullable<ReturnType<typeof stylingForStats>>): TileTableFn<[number, number, number]> => (table) => s.forTable(table).colourOf;

/** Each tile's buildings the legend shows with its `hidden` entries (null: every one). */
function tilesShown(s: NonNullable<ReturnType<typeof stylingForStats>>, hidden: Set<number>): TileTableFn<boolean> | null {
  if (!hidden.size) return null;
  return (table) => {
    const st = s.forTable(table);
    return (id) => !hidden.has(st.binOf(id));
  };
}

/** A 3D Tiles tileset in the three.js view (3DTilesRendererJS), picking from the tiles' tables. */
async function showTileset(url: string, basemap: BaseMapSource | null, name: string | null = null, built: string | null = null): Promise<void> {
  const json = await (await fetch(url)).json();
  let count = 0, deepest = 0;
  const walk = (t: { children?: unknown[] }, depth: number) => {
    count++;
    deepest = Math.max(deepest, depth);
    (t.children ?? []).forEach((c) => walk(c as { children?: unknown[] }, depth + 1));
  };
  walk(json.root, 0);
  showTilesetStats(name ?? url, count);
  showTilesetAbout(json.asset?.extras?.cityforge?.buildings, json.asset?.extras?.cityforge?.parts, count, built);
  showAttribution(json.asset?.extras?.cityforge?.copyright);
  const modelEl = document.getElementById('view-model')!;
  const mapEl = document.getElementById('view-map')!;
  const view = new TilesetView(modelEl, url, json, { coveredRight: panelCover() });
  // what is drawn now, in the panel (once a frame at most)
  let drawnQueued = false;
  view.onDrawnChange = () => {
    if (drawnQueued) return;
    drawnQueued = true;
    requestAnimationFrame(() => {
      drawnQueued = false;
      showTilesDrawn(hooks.view === 'model' ? view.drawnTiles() : (mapView?.drawnTiles() ?? null), deepest);
    });
  };
  let mapView: TilesetMapViewer | null = null;
  // compass and scale bar, following the active view
  const nav = new NavOverlay(() => (hooks.view === 'model' ? view.northUp() : mapView?.northUp()));
  hooks.nav = () => nav.state;
  view.onView = () => {
    if (hooks.view === 'model') nav.update(view.navState());
  };
  // the selected building stays lit while the pointer tints others on its way
  let hovered: TileHit | null = null;
  let selected: TileHit | null = null;
  // a building looked for in the tiles as they arrive (a link's, a search's, the other view's selection)
  let linked: string | null = null;
  // the camera as the address writes it: in the map view, its camera as the model view would look from it
  const linkCamera = () => {
    const mapCam = hooks.view === 'map' ? mapView?.viewCamera() : null;
    const orbit = mapCam ? orbitOf(mapCam) : null;
    return (orbit ? [...orbit.position.toArray(), ...orbit.target.toArray()].map((v) => Math.round(v * 10) / 10) : view.cameraVector).join(',');
  };
  (hooks as { linkCamera?: () => string }).linkCamera = linkCamera;
  // tileset-had-no-link: the model view's camera and the selected building's id in the address
  const writeHash = hashWriter((p) => {
    // (tileset-switch-dropped-the-selection: one still looked for stays in the address)
    const b = hooks.selectedId ?? linked;
    if (b !== null) p.set('b', b);
    p.set('cam', linkCamera());
    if (hooks.styling) p.set('by', hooks.styling.column);
    if (hooks.styling && hiddenNow.size) p.set('hide', [...hiddenNow].sort((a, b) => a - b).join(','));
    if (hooks.view === 'map') p.set('view', 'map');
  });
  // where the camera stood when the building was selected
  let selectedFrom = '';
  // the selected building's table and row, whichever view picked it
  let selectedHit: { table: Record<string, (string | number | null)[]>; id: number } | null = null;
  const select = (hit: { table: Record<string, (string | number | null)[]>; id: number } | null) => {
    selectedHit = hit;
    selectedFrom = hit ? view.cameraVector.join(',') : '';
    hooks.selected = hit ? hit.id : null;
    hooks.selectedId = hit ? String(hit.table['id']?.[hit.id]) : null;
    // raw-labels-in-tilesets: the columns' display names, as the GLB view shows them
    showSelection({ table: hit ? hit.table : {}, titles: { ...view.titles, ...mapView?.titles } }, hit ? hit.id : null);
    selected = hit && 'tile' in hit ? (hit as TileHit) : null;
    view.highlight(selected, hovered);
    // (the map view finds it by its id in whichever of its tiles draws it)
    mapView?.setSelected(hooks.selectedId);
    writeHash();
  };
  const pointer = trackPointer([modelEl, mapEl]);
  // tooltip-stayed-after-a-drag: a press (an orbit, a pan, a tap) clears the tooltip
  for (const el of [modelEl, mapEl]) el.addEventListener('pointerdown', () => showTooltip({ table: {} }, null, 0, 0));
  const hover = (hit: { table: Record<string, (string | number | null)[]>; id: number } | null) => {
    hooks.hoveredId = hit ? String(hit.table['id']?.[hit.id]) : null;
    showTooltip({ table: hit ? hit.table : {} }, hit ? hit.id : null, pointer.x, pointer.y);
  };
  // the-selection-stayed-after-refining: a selected building (or block) whose tile is no longer drawn —
  // refined into finer tiles as the camera came closer — is no longer selected
  view.onTileHidden = (scene) => {
    if (selected?.tile === scene) {
      // tileset-link-lost-its-building: a coarse tile's box of the selected building gives way to finer
      // tiles as the view refines: the building is selected again in the tile that now draws it (a leaf
      // that gives way, as the view zooms out, takes the selection with it)
      const id = hooks.selectedId;
      // link-ignored-once-open (a flake in CI): a leaf hidden while the camera stands where it stood when the
      // building was selected (tiles still settling after a link moved it) does not take the selection along
      const still = selectedFrom === view.cameraVector.join(',');
      select(null);
      if ((still || !view.isLeaf(scene)) && id !== null) {
        linked = id;
        leafOnly = false;
        queueMicrotask(selectLinked);
      }
    }
    if (hovered?.tile === scene) {
      hovered = null;
      hover(null);
    }
  };
  onPointerHover(view.renderer.domElement, (x, y) => {
    hovered = view.pick(x, y);
    hover(hovered);
    view.highlight(selected, hovered);
  });
  // tileset-hover-stale-after-zoom: the camera moved under a resting pointer (wheel, keys, home): pick again
  // there (the tooltip named a building the wheel had taken away, over empty ground)
  let repick = 0;
  view.onCameraChange = () => {
    if (repick || !pointer.over || pointer.buttons || hooks.view !== 'model') return;
    repick = requestAnimationFrame(() => {
      repick = 0;
      hovered = view.pick(pointer.x, pointer.y);
      hover(hovered);
      view.highlight(selected, hovered);
    });
  };
  const tilesetHooks = hooks as CityforgeHooks & { tilesLoaded(): number; someBuilding(): unknown; tilesSettled(): boolean; framesDrawn(): number; highestGround(): unknown };
  tilesetHooks.framesDrawn = () => view.frames;
  (hooks as { plainTakesShadows?: () => boolean }).plainTakesShadows = () => view.plainTakesShadows;
  tilesetHooks.tilesSettled = () => (hooks.view === 'model' ? view.settled() : (mapView?.settled() ?? false));
  tilesetHooks.tilesLoaded = () => (hooks.view === 'model' ? view.loaded : (mapView?.loaded ?? 0));
  tilesetHooks.someBuilding = () => (hooks.view === 'model' ? view.someBuilding() : (mapView?.someBuilding() ?? null));
  hooks.cameraState = () => view.cameraState();
  tilesetHooks.highestGround = () => (hooks.view === 'map' ? (mapView?.highestGround() ?? null) : null);
  // a click chooses: a building still looked for is no longer (it would take the selection when it arrived)
  const choose = (hit: Parameters<typeof select>[0]) => {
    linked = null;
    select(hit);
    // tileset-tap-had-no-feedback: with the panel folded (a phone), what was picked is named where it was
    // tapped, as in the GLB view
    if (document.getElementById('panel')!.classList.contains('collapsed')) showTooltip({ table: hit ? hit.table : {} }, hit ? hit.id : null, pointer.x, pointer.y);
  };
  onCanvasClick(view.renderer.domElement, (x, y) => choose(pickNear((px, py) => view.pick(px, py), x, y)));
  view.renderer.domElement.addEventListener('dblclick', (e) => view.focusAt(e.clientX, e.clientY));
  window.addEventListener('resize', () => view.resize());
  // colour by an attribute: one scale over every tile, from the tileset's column statistics (cityforge
  // tiles writes them); each tile coloured from its own table as it arrives
  const columnStats = (json.asset?.extras?.cityforge?.columns ?? {}) as Record<string, ColumnStats>;
  const byColumns = styleColumnsOfStats(columnStats);
  let hiddenNow = new Set<number>();
  let tileFilter: ((hidden: Set<number>) => void) | null = null;
  let tileStyling: ReturnType<typeof stylingForStats> = null;
  showStyling(byColumns, Object.fromEntries(Object.entries(columnStats).flatMap(([k, v]) => (v.title ? [[k, v.title]] : []))), (column) => {
    const s = column ? stylingForStats(column, columnStats[column], columnStats['height_from'], columnStats['height']?.count) : null;
    tileStyling = s;
    hooks.styling = s && { column, legend: s.legend };
    // the legend's entries hide and show their buildings, in every tile of both views
    tileFilter = s ? (hidden: Set<number>) => {
      hiddenNow = hidden;
      // tileset-legend-had-no-count: how many buildings the legend shows, from the tileset's statistics
      // (the tables' rows: buildings and building parts)
      const total = Number(json.asset?.extras?.cityforge?.buildings) + Number(json.asset?.extras?.cityforge?.parts ?? 0);
      const counts = s.counts;
      hooks.visibleCount = hidden.size && counts && total > 0 ? Math.max(0, total - [...hidden].reduce((a, i) => a + (counts[i] ?? 0), 0)) : null;
      showShownCount(hooks.visibleCount, total);
      const visibleFor = tilesShown(s, hidden);
      view.setVisible(visibleFor);
      mapView?.setVisible(visibleFor);
      // hidden-selection-stayed-lit: the selected building hidden by the legend is let go
      if (visibleFor && selectedHit && !visibleFor(selectedHit.table)(selectedHit.id)) select(null);
      writeHash();
    } : null;
    hiddenNow = new Set();
    hooks.visibleCount = null;
    showShownCount(null, 0);
    view.setVisible(null);
    mapView?.setVisible(null);
    showLegend(s ? s.legend : null, tileFilter ?? undefined);
    const colourFor = s ? tilesColoured(s) : null;
    view.setColouring(colourFor);
    mapView?.setColouring(colourFor);
    writeHash();
  });
  const toggleBtn = document.getElementById('toggle') as HTMLButtonElement;
  const frame = json.asset?.extras?.cityforge?.frame;
  const box = json.root.boundingVolume.box as number[];
  hooks.toggle = () => {
    hovered = null;
    hover(null);
    // map-selection-stayed-after-switching: the selection is looked for again in the other view's tiles (a
    // merged block the map view drew is not drawn by the model view: nothing is selected then)
    const was = selected && !isMergedBlock(selected.table, selected.id) ? hooks.selectedId : null;
    // tileset-switch-dropped-the-selection: a building is looked for in the other view's tiles, its
    // attributes still shown (the other view's tiles may take a while: the map view streams its own)
    if (was !== null) {
      selected = null;
      hooks.selected = null;
    } else if (selected) select(null);
    view.highlight(selected);
    // tileset-view-switch-lost-the-camera: the other view looks from where this one did
    const camera = hooks.view === 'model' ? view.viewCamera() : (mapView?.viewCamera() ?? null);
    switchView();
    view.onDrawnChange?.();
    modelEl.hidden = hooks.view !== 'model';
    mapEl.hidden = hooks.view !== 'map';
    toggleBtn.textContent = hooks.view === 'model' ? 'Map view' : 'Model view';
    if (hooks.view === 'map' && !mapView) {
      const mv = new TilesetMapViewer(mapEl, url, [frame?.lon ?? 0, frame?.lat ?? 0], Math.hypot(box[3], box[7]), choose, hover, basemap, json, box[2] - box[11] / 2, box[2] - box[11]);
      mv.onView = () => {
        const s = hooks.view === 'map' ? mv.navState() : null;
        if (s) nav.update(s);
        if (hooks.view === 'map') {
          writeHash();
          view.onDrawnChange?.();
          // map-view-never-lit-the-selection: a building selected in the model view was looked for in the map
          // view's tiles once, when a tile's table came, before deck.gl showed that tile; it is looked for again
          // after each frame drawn until found
          if (linked !== null) selectLinked();
        }
      };
      mapView = mv;
      mv.onTableLoaded = () => selectLinked();
      // the same colours in both views
      const by = (document.getElementById('colour-by') as HTMLSelectElement).value;
      const s = by ? stylingForStats(by, columnStats[by], columnStats['height_from'], columnStats['height']?.count) : null;
      if (s) {
        mv.setColouring(tilesColoured(s));
        mv.setVisible(tilesShown(s, hiddenNow));
      }
    }
    if (hooks.view === 'model') {
      view.resize();
      if (camera) view.setViewCamera(camera);
    } else if (camera) mapView!.setViewCamera(camera);
    if (was !== null) {
      linked = was;
      leafOnly = false;
      selectLinked();
    }
    writeHash();
  };
  toggleBtn.addEventListener('click', () => hooks.toggle());
  hooks.baseMapLoading = async () => (hooks.view === 'map' && mapView ? mapView.baseMapLoading() : false);
  savePngButton(() => (hooks.view === 'model' ? modelEl : mapEl), () => `tileset-${hooks.view}`);
  document.getElementById('home')!.addEventListener('click', () => {
    hovered = null;
    hover(null);
    view.highlight(selected);
    if (hooks.view === 'model') view.resetCamera();
    else mapView?.resetCamera();
  });
  view.onView = ((navOnly) => () => {
    navOnly?.();
    if (hooks.view === 'model') writeHash();
  })(view.onView);
  // a link: the camera at once, the building once a drawn tile holds it (tiles stream in as the camera asks)
  const fromHash = new URLSearchParams(location.hash.slice(1));
  const cam = cameraOf(fromHash);
  if (cam) view.cameraVector = cam;
  linked = fromHash.get('b');
  if (linked !== null) showLooking(linked);
  // (a search waits for the building's leaf: a coarse tile's box of it gives way as the view refines)
  let leafOnly = false;
  // link-not-selected-when-idle: a building looked for and not drawn yet is looked for again after the frames
  // the view draws; an idle view draws none, so for 20 s it is asked for one frame after another
  let lookUntil = 0;
  const selectLinked = () => {
    const hit = linked === null ? null : hooks.view === 'model' ? view.find(linked, leafOnly) : (mapView?.find(linked, leafOnly) ?? null);
    if (!hit && linked !== null && hooks.view === 'model') {
      if (!lookUntil) lookUntil = performance.now() + 20_000;
      if (performance.now() < lookUntil) view.requestFrame();
      // (not found in 20 s: the panel says no more than it knows)
      else if (hooks.selectedId === null && document.querySelector('#selection .looking')) select(null);
    }
    if (hit) {
      lookUntil = 0;
      // found-building-was-hidden: a building found by the search that the legend's filter hides is shown
      // again with its entry
      if (leafOnly && tileStyling && hiddenNow.size) {
        const bin = tileStyling.forTable(hit.table).binOf(hit.id);
        const said = document.getElementById('search-result')!;
        if (revealLegendEntry(bin)) said.textContent = `${said.textContent} ${linked} was hidden by the legend; its entry “${tileStyling.legend[bin]?.label ?? ''}” is shown again.`.trim();
      }
      linked = null;
      select(hit);
    }
  };
  view.onTableLoaded = selectLinked;
  // (for the tests: what the page looks for, and which drawn or loaded tiles hold it)
  (hooks as CityforgeHooks & { linkState(): unknown }).linkState = () => ({
    linked, leafOnly, looking: lookUntil ? Math.round(lookUntil - performance.now()) : null, frames: view.frames, selected: hooks.selectedId,
    settled: view.settled(), drawn: view.drawnTiles(), holding: view.tilesHolding(linked ?? hooks.selectedId ?? ''),
  });
  // tileset-link-not-selected (a slow CI machine): a building looked for is looked for again after each frame
  // drawn while tiles come and go, whatever event was missed; idle, nothing is drawn and nothing is looked for
  view.onRendered = () => {
    if (linked !== null && hooks.view === 'model') selectLinked();
  };
  applyColouring(fromHash);
  if (fromHash.get('view') === 'map') hooks.toggle();
  // link-ignored-once-open: a link pasted into the open page's address bar moves the view there
  window.addEventListener('hashchange', (e) => {
    const p = linkOf(e);
    if (hooks.view === 'map') hooks.toggle(); // (a link's camera is the model view's)
    const cam = cameraOf(p);
    if (cam) view.cameraVector = cam;
    linked = p.get('b');
    lookUntil = 0;
    if (linked === null) {
      // (by id: a building still looked for in the other view's tiles is selected too)
      if (hooks.selectedId !== null) select(null);
    } else if (linked === hooks.selectedId) linked = null;
    // (looked for once the view has drawn from the link's camera: the tiles drawn now are the old camera's)
    else if (cam) {
      if (hooks.selectedId === null) showLooking(linked);
      view.requestFrame();
    }
    else selectLinked();
    applyColouring(p);
    if (p.get('view') === 'map') hooks.toggle();
  });
  // find: the tileset's find index (cityforge tiles writes one: ids and names in bucket files), or no search
  // box (a tileset has no table of every building; the box's form reloaded the page)
  const findIndex = json.asset?.extras?.cityforge?.find as { dir?: string; buckets?: string[] } | undefined;
  const searchForm = document.getElementById('search')!;
  searchForm.hidden = !(findIndex?.dir === 'find' && Array.isArray(findIndex.buckets));
  const searchResult = document.getElementById('search-result')!;
  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = (document.getElementById('search-input') as HTMLInputElement).value;
    const key = findKey(q);
    const none = () => (searchResult.textContent = key ? `No building is called or numbered “${q.trim()}” (a tileset finds whole ids, names and references such as ref).` : '');
    // the key without accents; then, for an index written before they were dropped, with them
    const keys = [...new Set([key, findKeyWithAccents(q)])].filter((k) => k && findIndex?.buckets?.includes(findBucket(k)));
    if (!keys.length) return void none();
    searchResult.textContent = 'Finding…';
    const lookUp = async (): Promise<FindEntry[] | undefined> => {
      for (const k of keys) {
        const r = await fetch(new URL(`find/${findBucket(k)}.json`, new URL(url, location.href)));
        if (!r.ok) throw new Error(`find/${findBucket(k)}.json: HTTP ${r.status}`);
        const hits = ((await r.json()) as Record<string, FindEntry[]>)[k];
        if (hits?.length) return hits;
      }
      return undefined;
    };
    lookUp()
      .then((hits) => {
        if (!hits?.length) return void none();
        const [id, , x, y, top, height, size] = hits[0];
        searchResult.textContent = hits.length > 1 ? `${hits.length} buildings match; showing ${id}.` : '';
        hover(null);
        // search-flew-into-a-large-building: far enough to see all of it, about the middle of its height (an
        // index written before has its top alone: 120 m from there)
        const z = height !== undefined ? top - height / 2 : top;
        const distance = size !== undefined ? spotDistance(size) : 120;
        if (hooks.view === 'model') view.flyTo(x, y, z, distance);
        else mapView?.flyTo(new THREE.Vector3(x, y, z), distance);
        // selected once a drawn tile holds it (the camera asks for its leaf)
        linked = id;
        leafOnly = true;
        selectLinked();
        // search-target-behind-panel: on a phone the open panel covers the middle of the view
        const panel = document.getElementById('panel')!;
        if (window.innerWidth < 600 && !panel.classList.contains('collapsed')) document.getElementById('collapse')!.click();
      })
      .catch((err: Error) => (searchResult.textContent = `Find failed: ${err.message}`));
  });
  hooks.screenPositionOf = () => {
    const r = view.renderer.domElement.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  };
  hooks.ready = true;
}

main().catch((e) => {
  hooks.error = String((e as Error).message ?? e);
  document.getElementById('stats')!.textContent = `Error: ${hooks.error}`;
});
