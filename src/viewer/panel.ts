import type { CityModel } from './model.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A one-sigma uncertainty as the panel writes it after a value: ` ± 0.04`, ` ± 0.003` (one figure under a centimetre). */
const plusMinus = (sigma: number) => ` ± ${sigma === 0 ? '0' : sigma < 0.01 ? sigma.toPrecision(1) : sigma.toFixed(2)}`;
/** Escaped, with a break opportunity after each ':', '_', '#', '/' and '.' ("fit:runner_up_confidence", "params.gpkg#buildings"). */
const breakable = (s: string) => esc(s).replace(/([:_#/.])(?=\S)/g, '$1<wbr>');

/** Buildings and building parts, as the build's summary counts them. */
function counts(model: Pick<CityModel, 'table' | 'rows'>): { buildings: number; parts: number } {
  const partOf = model.table['part_of'];
  const buildings = partOf ? partOf.filter((p) => p === '' || p === null).length : model.rows;
  return { buildings, parts: model.rows - buildings };
}

/** The stats line: buildings, triangles, file size. */
export function showStats(model: CityModel, url: string): void {
  const { buildings, parts } = counts(model);
  // the same count as the build's summary: buildings, and their parts apart
  document.getElementById('stats')!.innerHTML =
    `<div><b>${fmt(buildings)}</b> buildings${parts ? ` (+${fmt(parts)} parts)` : ''} · <b>${fmt(model.triangles)}</b> triangles</div>` +
    `<div>${(model.bytes / 1e6).toFixed(1)} MB · ${esc(url.split('/').pop() ?? url)}</div>`;
}

/** The "about this city" line: what it was built from (the property table's sources), and by what. */
export function showAbout(model: Pick<CityModel, 'table' | 'rows'>, built: string | null = null): void {
  const el = document.getElementById('about');
  if (!el) return;
  const sources = new Map<string, number>();
  // (the files: a layer's name, after '#', is in the panel's source row)
  for (const s of model.table['source'] ?? []) {
    const file = String(s ?? '').replace(/#[^#]+$/, '');
    if (file) sources.set(file, (sources.get(file) ?? 0) + 1);
  }
  const names = [...sources.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
  const from = names.length ? ` from ${names.slice(0, 2).join(', ')}${names.length > 2 ? ` and ${names.length - 2} more` : ''}` : '';
  const { buildings, parts } = counts(model);
  el.textContent = `${fmt(buildings)} buildings${parts ? ` and ${fmt(parts)} parts` : ''}${from} · built by cityforge${onDate(built)}`;
}

/** " on 6 Dec 2026" for an ISO date (the file's modification time, from config.json), or nothing. */
function onDate(built: string | null): string {
  return built && !Number.isNaN(Date.parse(built)) ? ` on ${new Date(built).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })}` : '';
}

/** The "about" line of a tileset: its buildings (when the tileset says) and tiles, and when it was built (tileset-about-had-no-date). */
export function showTilesetAbout(buildings: unknown, parts: unknown, tiles: number, built: string | null = null): void {
  const el = document.getElementById('about');
  if (!el) return;
  // (as the model view says it)
  const p = typeof parts === 'number' && parts > 0 ? ` and ${fmt(parts)} parts` : '';
  const n = typeof buildings === 'number' && Number.isFinite(buildings) ? `${fmt(buildings)} buildings${p} in ` : '';
  el.textContent = `${n}${fmt(tiles)} ${tiles === 1 ? 'tile' : 'tiles'} · 3D Tiles 1.1 · built by cityforge${onDate(built)}`;
}

/** The unit a column's numbers are in, by its name: heights in metres, angles in degrees. */
function unitOf(key: string): string {
  if (/(^|[_:])(height|min_height|ground|eave|rmse|sigma_height|sigma_eave|sigma_roof_height)$/.test(key) || /height/.test(key)) return ' m';
  if (/(angle|direction)$/.test(key)) return '°';
  return '';
}

/** A column's name as an identifier (`fit:sigma_height` and `fit_sigma_height` alike). */
const plainKey = (k: string) => k.replace(/[^A-Za-z0-9_]/g, '_');

/** The parameter each `fit_sigma_<x>` column is the uncertainty of (by default `<x>`). */
const SIGMA_OF: Record<string, string> = { eave: 'fit_eave' };

/**
 * A value as a link where it names something on the web: an OSM object, a Wikidata item, a Wikipedia
 * article (OSM's `lang:Title`; wikipedia-not-linked: wikidata and website were), a website.
 *
 * @example
 * ```ts
 * linkOf('wikipedia', 'fr:Hôtel de Paris', ''); // 'https://fr.wikipedia.org/wiki/H%C3%B4tel_de_Paris'
 * ```
 */
export function linkOf(key: string, value: string, source: string): string | null {
  const osm = /^([nwr])(\d+)$/.exec(value);
  if (key === 'id' && osm && /\.(osm|pbf)(#|$)/i.test(source)) return `https://www.openstreetmap.org/${({ n: 'node', w: 'way', r: 'relation' } as const)[osm[1] as 'n' | 'w' | 'r']}/${osm[2]}`;
  if (key === 'wikidata' && /^Q\d+$/.test(value)) return `https://www.wikidata.org/wiki/${value}`;
  const wiki = key === 'wikipedia' ? /^([a-z]{2,3}(?:-[a-z]+)?):(.+)$/.exec(value.trim()) : null;
  if (wiki) return `https://${wiki[1]}.wikipedia.org/wiki/${encodeURIComponent(wiki[2].trim().replace(/ /g, '_'))}`;
  if ((key === 'website' || key === 'url') && /^https?:\/\//.test(value)) return value;
  return null;
}

/** Whether row `id` of a tile's table is a coarse tile's box or merged block of buildings (`cityforge tiles`), not a building. */
export function isMergedBlock(table: CityModel['table'], id: number): boolean {
  return String(table['source']?.[id] ?? '') === 'cityforge: merged buildings';
}

/**
 * The panel while a linked building's tile is still on its way (a tileset streams: a link's building is
 * selected once a drawn tile holds it; link-looked-broken: for 8–13 s the panel said "Click a building").
 */
export function showLooking(id: string): void {
  document.getElementById('selection')!.innerHTML = `<em class="looking">Finding ${esc(id)}: it is selected once its tile has loaded…</em>`;
}

/**
 * The note beside a building's height saying where it came from, where the data did not give it (HTML; empty
 * for a height from the data): the default (said apart where the data's own was unusable, a height of 0),
 * `building:levels`, its tallest part, a merged block's mean.
 *
 * @example
 * ```ts
 * heightOrigin({ height_from: ['default'], source_height: [0] }, 0); // '<span …>default, the data's unusable</span>'
 * ```
 */
export function heightOrigin(table: CityModel['table'], id: number): string {
  const from = table['height_from']?.[id];
  // (default-said-not-in-the-data-over-a-zero: a source height of 0 was there, unusable, under "not in the data")
  const given = table['source_height']?.[id];
  const unusable = from === 'default' && given !== undefined && given !== '' && !(typeof given === 'number' && given <= -1e300);
  if (unusable) return `<span class="origin" title="The data's height (${esc(String(given))}) cannot be used (zero, negative, absurd or unreadable): the default height (--default-height)">default, the data's unusable</span>`;
  if (from === 'default') return '<span class="origin" title="The data gives no usable height or levels for this building (none, or zero, negative or unreadable): the default height (--default-height)">default, none usable in the data</span>';
  if (from === 'levels') return '<span class="origin" title="building:levels × the level height (--level-height), with the roof drawn on top where its height is not tagged, or the top of its parts where they rise above it">from levels</span>';
  if (from === 'parts') return '<span class="origin" title="The outline has no height of its own: its tallest building:part\'s">tallest part</span>';
  if (from === 'merged') return '<span class="origin" title="A block of the buildings a distant view merges: their mean height, weighted by area">mean of the block</span>';
  return '';
}

/**
 * A row's fitted parameters (from `cityforge infer`) and their one-sigma uncertainties, by the parameter's
 * plain key (`height`, `roof_height`, `fit_eave`). A height that is not the fitted one — the default, or
 * from building:levels, where the fitted value could not be read (sigma-on-a-default: "10 ± 0.18 m —
 * default, none usable in the data") — has none.
 *
 * @example
 * ```ts
 * fittedSigmas(model.table, 7).get('height'); // 0.04
 * ```
 */
export function fittedSigmas(table: CityModel['table'], id: number): Map<string, number> {
  const params = new Set(Object.keys(table).map((k) => plainKey(k).replace(/^source_/, '')));
  const from = table['height_from']?.[id];
  const sigmaOf = new Map<string, number>();
  for (const [k, col] of Object.entries(table)) {
    const m = /^fit_sigma_(.+)$/.exec(plainKey(k));
    const v = col[id];
    const param = m ? (SIGMA_OF[m[1]] ?? m[1]) : '';
    if (param === 'height' && (from === 'default' || from === 'levels')) continue;
    if (m && typeof v === 'number' && Number.isFinite(v) && params.has(param)) sigmaOf.set(param, v);
  }
  return sigmaOf;
}

/** The selected building's attributes, read from the property table row. */
export function showSelection(model: Pick<CityModel, 'table' | 'titles'>, id: number | null): void {
  const el = document.getElementById('selection')!;
  if (id === null) {
    el.innerHTML = '<em>Click a building to see its attributes.</em>';
    return;
  }
  // a coarse tile's merged block is not a building: say so, and how to get to the buildings
  const isBlock = isMergedBlock(model.table, id);
  const pieces = model.table['pieces']?.[id];
  const note = !isBlock ? '' : pieces === 1 ? '<p class="note">A building drawn as a box in this coarse tile: zoom in to see it in full.</p>' : `<p class="note">A block of ${esc(String(pieces ?? 'several'))} buildings merged in this coarse tile: zoom in to pick one.</p>`;
  // a fitted parameter (from `cityforge infer`) shows its one-sigma uncertainty beside it ("12.31 ± 0.04 m"),
  // and the sigma's own row goes
  const sigmaOf = fittedSigmas(model.table, id);
  // outline-figures-read-as-one-roof: an inferred building written as its parts (fit:status "parts") carries
  // the tallest part's height, the lowest part's eave and the shape of most of its area: said beside each
  const statusKey = Object.keys(model.table).find((k) => plainKey(k) === 'fit_status');
  const ofParts = statusKey !== undefined && model.table[statusKey][id] === 'parts';
  const partsNote: Record<string, [string, string]> = {
    height: ['tallest part', 'The highest of its parts (the building is written as its roof planes\' parts)'],
    fit_eave: ['lowest part', 'The lowest eave of its parts: each part has its own'],
    fit_sigma_eave: ['lowest part', 'The lowest part\'s'],
    roof_shape: ['most of its area', 'The roof shape of the parts that cover most of its area'],
  };
  const rows = Object.entries(model.table)
    .map(([k, col]) => {
      const v = col[id];
      if (v === '' || v === null || v === undefined || (k === 'levels' && v === -1) || k === 'height_from') return '';
      if (saysNothingMore(model.table, k, id, isBlock)) return '';
      const plain = plainKey(k);
      const sigmaRow = /^fit_sigma_(.+)$/.exec(plain);
      if (sigmaRow && sigmaOf.has(SIGMA_OF[sigmaRow[1]] ?? sigmaRow[1])) return '';
      const sigma = typeof v === 'number' ? sigmaOf.get(plain.replace(/^source_/, '')) : undefined;
      // (source-was-jargon: `file#layer` read as the file and its layer; fit-figures-were-raw: the DSM's coverage
      // a percentage, whether the ground was estimated yes or no)
      const plainValue = k === 'source' ? String(v).replace(/#([^#]+)$/, ', layer $1') : plain === 'fit_coverage' && typeof v === 'number' ? `${Math.round(v * 100)} %` : plain === 'fit_ground_estimated' && (v === 0 || v === 1) ? (v ? 'yes (no DTM under it: from the DSM)' : 'no') : null;
      const shown = (plainValue ?? (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v))) + (sigma !== undefined ? plusMinus(sigma) : '');
      const unit = typeof v === 'number' ? unitOf(k) : '';
      const link = typeof v === 'string' ? linkOf(k, v, String(model.table['source']?.[id] ?? '')) : null;
      const cell = link ? `<a href="${esc(link)}" target="_blank" rel="noopener">${breakable(shown)}</a>` : typeof v === 'number' ? esc(shown) : breakable(shown);
      // long-key-squeezed-value: names break at their ':' and '_', a number stays on one line with its σ and unit
      // default-height-looked-measured: a height the data did not give says where it came from
      const from = k === 'height' ? model.table['height_from']?.[id] : null;
      const note = ofParts ? partsNote[plainKey(k).replace(/^source_/, '')] : undefined;
      const origin = (from ? heightOrigin(model.table, id) : '') || (note ? `<span class="origin" title="${esc(note[1])}">${esc(note[0])}</span>` : '');
      const value = (typeof v === 'number' ? `<span class="num">${cell}${unit ? `<span class="unit">${unit}</span>` : ''}</span>` : cell) + origin;
      return `<tr><td>${breakable(model.titles?.[k] ?? k)}</td><td data-key="${esc(k)}">${value}</td></tr>`;
    })
    .join('');
  el.innerHTML = `${note}<table>${rows}</table>${partsOf(model, id)}`;
}

/**
 * panel-repeated-itself: a row that only repeats another, which the panel leaves out (the GLB keeps every
 * column): a source attribute equal to the parameter read from it ("height (source)" 9 m under height 9 m),
 * vector tiles' `type` equal to `building`, `extrude` true (a building that is not extruded is not built), and
 * `pieces` 1 for a building that is not a coarse tile's block.
 */
function saysNothingMore(table: CityModel['table'], k: string, id: number, isBlock: boolean): boolean {
  const v = table[k][id];
  const twin = /^source[_:](.+)$/.exec(k);
  if (twin) return table[twin[1]] !== undefined && table[twin[1]][id] === v;
  if (k === 'type') return table['building']?.[id] === v;
  if (k === 'extrude') return v === 'true';
  if (k === 'pieces') return v === 1 && !isBlock;
  return false;
}

/**
 * A building drawn as its parts (S3DB, or `cityforge infer`'s roof planes): its parts — id, roof shape,
 * height (± its σ; from its bottom where it floats) — from their rows of the table, since the parts are
 * drawn and picked as the building.
 */
function partsOf(model: Pick<CityModel, 'table'>, id: number): string {
  const partOf = model.table['part_of'], ids = model.table['id'];
  if (!partOf || !ids) return '';
  const mine = String(ids[id]);
  const rows: number[] = [];
  partOf.forEach((p, k) => {
    if (p !== null && p !== '' && String(p) === mine && k !== id) rows.push(k);
  });
  if (!rows.length) return '';
  const col = (name: string) => Object.keys(model.table).find((k) => plainKey(k).replace(/^source_/, '') === name);
  const height = 'height', sigma = col('fit_sigma_height'), bottom = col('min_height');
  // each part by its id (a part's own id: an OSM way to look up, picked only as its building), its roof shape where
  // the parts have them (a city model's parts have their own roofs), its height — from its bottom where it floats
  // (part-list-said-12-m-for-a-bridge: a deck from 6 to 12 m read as a 12 m part)
  const shapeCol = col('roof_shape');
  const shapes = !!shapeCol && rows.some((k) => model.table[shapeCol][k]);
  const num = (v: unknown, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '');
  const items = rows
    .slice(0, 50)
    .map((k) => {
      const s = sigma ? model.table[sigma][k] : null;
      const low = bottom ? model.table[bottom][k] : null;
      const from = typeof low === 'number' && low > 0 ? `${num(low)}–` : '';
      return `<tr><td>${esc(String(ids[k] ?? ''))}</td>${shapes ? `<td>${esc(String(model.table[shapeCol!][k] ?? ''))}</td>` : ''}<td>${from}${num(model.table[height]?.[k])}${typeof s === 'number' ? plusMinus(s) : ''}<span class="unit"> m</span></td></tr>`;
    })
    .join('');
  return `<details class="parts"><summary>${rows.length} part${rows.length === 1 ? '' : 's'} (id, ${shapes ? 'roof shape, ' : ''}height)</summary><table>${items}</table>${rows.length > 50 ? `<em>… and ${rows.length - 50} more</em>` : ''}</details>`;
}

/** The data's attribution, as the file says (nothing when it says nothing). */
export function showAttribution(text: string | undefined): void {
  const el = document.getElementById('attribution')!;
  el.textContent = text ?? '';
  el.hidden = !text;
  const credit = document.getElementById('credit');
  if (credit) credit.textContent = text ?? '';
  showCredit();
}

/** The credit over the city: shown while the panel that holds the attribution is folded. */
export function showCredit(): void {
  const credit = document.getElementById('credit');
  if (credit) credit.hidden = !credit.textContent || !document.getElementById('panel')!.classList.contains('collapsed');
}

/** The stats line for a tileset. */
export function showTilesetStats(url: string, tiles: number): void {
  document.getElementById('stats')!.innerHTML = `<div>3D Tiles tileset · <b>${tiles}</b> ${tiles === 1 ? 'tile' : 'tiles'}</div><div>${esc(url)}</div><div id="tiles-drawn"></div>`;
}

/**
 * What the tileset view draws now (tileset-panel-did-not-say-what-is-drawn): "Drawn: 9 tiles, levels 3–5
 * of 0–5 · 6 in full detail"; coarser tiles hold their buildings as boxes or blocks; "Loading tiles…" while none is drawn.
 */
export function showTilesDrawn(d: { tiles: number; leaves: number; minLevel: number; maxLevel: number } | null, deepest: number): void {
  const el = document.getElementById('tiles-drawn');
  if (!el) return;
  if (!d || d.tiles === 0) {
    // map-view-loading-unsaid: the view's first tiles are on their way (a click picks once they are drawn)
    el.textContent = 'Loading tiles… (a building can be clicked once its tile is drawn)';
    el.title = '';
    return;
  }
  const levels = Number.isFinite(d.minLevel) ? (d.minLevel === d.maxLevel ? `, level ${d.minLevel}` : `, levels ${d.minLevel}–${d.maxLevel}`) + ` of 0–${deepest}` : '';
  const detail = d.leaves === d.tiles ? 'all in full detail' : d.leaves ? `${d.leaves} in full detail, the others boxes or blocks` : 'boxes or blocks (finer tiles come as they load, or closer)';
  el.textContent = `Drawn: ${d.tiles} tile${d.tiles === 1 ? '' : 's'}${levels} · ${detail}`;
  el.title = 'Leaf tiles hold every building in full; coarser levels hold them as boxes or merged blocks, drawn from afar';
}

/**
 * What the tooltip says of row `id`: its name (else its reference, else its id) and height, a default
 * height said to be one (tooltip-default-height-unsaid: the panel said so, the tooltip did not).
 *
 * @example
 * ```ts
 * tooltipText({ name: ['Hôtel de Paris'], height: [10], height_from: ['default'] }, 0); // 'Hôtel de Paris · 10 m (default)'
 * ```
 */
export function tooltipText(table: CityModel['table'], id: number): string {
  // (tooltip-showed-the-row-number: a GeoPackage's ids are its row numbers; the data's own reference says more)
  const name = table['name']?.[id] || table['ref']?.[id] || table['id']?.[id];
  const h = table['height']?.[id];
  const defaulted = table['height_from']?.[id] === 'default';
  return `${name ?? ''}${typeof h === 'number' ? ` · ${Number.isInteger(h) ? h : h.toFixed(1)} m${defaulted ? ' (default)' : ''}` : ''}`;
}

/** The hover tooltip: the building's name (or id) and height next to the pointer; hidden for none. */
export function showTooltip(model: Pick<CityModel, 'table'>, id: number | null, x: number, y: number): void {
  const el = document.getElementById('tooltip');
  if (!el) return;
  if (id === null) {
    el.hidden = true;
    return;
  }
  el.textContent = tooltipText(model.table, id);
  el.hidden = false;
  // beside the pointer, kept on the screen (a tap near a phone's right edge)
  const tw = el.offsetWidth, th = el.offsetHeight;
  let left = Math.max(4, Math.min(x + 14, window.innerWidth - tw - 4));
  const top = y + 14 + th > window.innerHeight - 4 ? Math.max(4, y - 14 - th) : y + 14;
  // tooltip-over-the-panel: a building just left of the open panel had its name drawn over the panel's rows;
  // it goes on the pointer's other side
  const panel = document.getElementById('panel');
  const r = panel && !panel.classList.contains('collapsed') ? panel.getBoundingClientRect() : null;
  if (r && left < r.right && left + tw > r.left && top < r.bottom && top + th > r.top) left = Math.max(4, Math.min(left, r.left - tw - 4, x - 14 - tw));
  el.style.left = `${left}px`;
  el.style.top = `${top}px`;
}

/** The colour-by chooser: the columns offered, and the legend of the one chosen (none: hidden). */
export function showStyling(columns: string[], titles: Record<string, string> | undefined, onChange: (column: string) => void): void {
  const section = document.getElementById('styling')!;
  const select = document.getElementById('colour-by') as HTMLSelectElement;
  for (const c of columns) {
    const o = document.createElement('option');
    o.value = c;
    o.textContent = titles?.[c] ?? c;
    select.appendChild(o);
  }
  section.hidden = !columns.length;
  select.addEventListener('change', () => onChange(select.value));
}

/**
 * Show again the legend entry `bin` if its filter hides it (a building found by the search stands in it);
 * true when it was hidden.
 */
export function revealLegendEntry(bin: number): boolean {
  const b = document.querySelector<HTMLButtonElement>(`#legend button[data-bin="${bin}"]`);
  if (!b || b.getAttribute('aria-pressed') !== 'false') return false;
  b.click();
  return true;
}

/** The legend's "N of M shown" line: `shown` of `total` buildings (null: nothing hidden, no line). */
export function showShownCount(shown: number | null | undefined, total: number): void {
  const el = document.getElementById('shown');
  if (el) el.textContent = shown === null || shown === undefined ? '' : `${fmt(shown)} of ${fmt(total)} shown.`;
}

/**
 * The legend: a swatch and a label per entry (none: hidden); each entry a toggle that hides or shows its
 * buildings (`onFilter` gets the hidden entries' indices).
 */
export function showLegend(entries: { label: string; colour: [number, number, number] }[] | null, onFilter?: (hidden: Set<number>) => void): void {
  const el = document.getElementById('legend')!;
  el.hidden = !entries;
  const swatch = (colour: [number, number, number]) => `<span class="swatch" style="background:rgb(${colour.map((c) => Math.round(255 * c)).join(',')})"></span>`;
  // without a filter the entries are labels, not toggles that do nothing
  el.innerHTML = (entries ?? [])
    .map(({ label, colour }, i) => (onFilter ? `<li><button type="button" data-bin="${i}" aria-pressed="true" title="Hide or show these buildings">${swatch(colour)}${esc(label)}</button></li>` : `<li><span class="entry">${swatch(colour)}${esc(label)}</span></li>`))
    .join('');
  const hint = document.getElementById('legend-hint');
  if (hint) hint.hidden = !entries || !onFilter;
  const hidden = new Set<number>();
  el.querySelectorAll<HTMLButtonElement>('button[data-bin]').forEach((b) =>
    b.addEventListener('click', () => {
      const i = Number(b.dataset.bin);
      if (hidden.has(i)) hidden.delete(i);
      else hidden.add(i);
      b.setAttribute('aria-pressed', String(!hidden.has(i)));
      onFilter?.(new Set(hidden));
    }),
  );
}
