import type { CityModel } from './model.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The stats line: buildings, triangles, file size. */
export function showStats(model: CityModel, url: string): void {
  const partOf = model.table['part_of'];
  const buildings = partOf ? partOf.filter((p) => p === '' || p === null).length : model.rows;
  document.getElementById('stats')!.innerHTML =
    `<div><b>${fmt(buildings)}</b> buildings · <b>${fmt(model.triangles)}</b> triangles</div>` +
    `<div>${(model.bytes / 1e6).toFixed(1)} MB · ${esc(url.split('/').pop() ?? url)}</div>`;
}

/** The selected building's attributes, read from the property table row. */
export function showSelection(model: Pick<CityModel, 'table' | 'titles'>, id: number | null): void {
  const el = document.getElementById('selection')!;
  if (id === null) {
    el.innerHTML = '<em>Click a building to see its attributes.</em>';
    return;
  }
  const rows = Object.entries(model.table)
    .map(([k, col]) => {
      const v = col[id];
      if (v === '' || v === null || v === undefined || (k === 'levels' && v === -1)) return '';
      const shown = typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v);
      return `<tr><td>${esc(model.titles?.[k] ?? k)}</td><td data-key="${esc(k)}">${esc(shown)}</td></tr>`;
    })
    .join('');
  el.innerHTML = `<table>${rows}</table>`;
}

/** The data's attribution, as the file says (nothing when it says nothing). */
export function showAttribution(text: string | undefined): void {
  const el = document.getElementById('attribution')!;
  el.textContent = text ?? '';
  el.hidden = !text;
}

/** The stats line for a tileset. */
export function showTilesetStats(url: string, tiles: number): void {
  document.getElementById('stats')!.innerHTML = `<div>3D Tiles tileset · <b>${tiles}</b> tiles</div><div>${esc(url)}</div>`;
}
