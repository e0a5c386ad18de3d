import { describe, expect, it } from 'vitest';
import { tilesToDraw, type TreeTile } from '../../src/viewer/replace.js';

/** A quadtree of `depth` levels below the root, ids "level/index". */
function tree(depth: number): Map<string, TreeTile> {
  const all = new Map<string, TreeTile>();
  const make = (level: number, k: number, parent: TreeTile | null): TreeTile => {
    const t: TreeTile = { id: `${level}/${k}`, parent, children: [] };
    all.set(t.id, t);
    if (level < depth) for (let c = 0; c < 4; c++) t.children!.push(make(level + 1, 4 * k + c, t));
    return t;
  };
  make(0, 0, null);
  return all;
}
const ids = (ts: TreeTile[]) => ts.map((t) => t.id).sort();

describe('tilesToDraw (REPLACE: all the children or none)', () => {
  const t = tree(2);
  const pick = (...names: string[]) => names.map((n) => t.get(n)!);

  it('map-view-left-a-block-out: one ready child does not take its parent away', () => {
    expect(ids(tilesToDraw(pick('0/0', '1/0', '1/1', '1/2', '1/3', '2/0'), () => true))).toEqual(['1/0', '1/1', '1/2', '1/3']);
  });

  it('every level selected (the coloured map view): the finest complete level', () => {
    const all = [...t.values()];
    expect(ids(tilesToDraw(all, () => true))).toEqual(ids(all.filter((x) => x.id.startsWith('2/'))));
  });

  it('one child not ready yet: the parent stays, and the child is awaited', () => {
    const sel = pick('0/0', '1/0', '1/1', '1/2', '1/3');
    expect(ids(tilesToDraw(sel, (x) => x.id !== '1/2'))).toEqual(['0/0', '1/2']);
  });

  it('a parent not selected: its ready children drawn as they come', () => {
    expect(ids(tilesToDraw(pick('2/0', '2/1'), () => true))).toEqual(['2/0', '2/1']);
  });

  it('map-view-close-up-drew-the-root: children out of the view do not keep their parent drawn', () => {
    const u = tree(2);
    const get = (n: string) => u.get(n)!;
    // close up over one leaf: the root and its first child are in view, the rest culled
    const inView = new Set(['0/0', '1/0', '2/0']);
    const culled = (x: TreeTile) => !inView.has(x.id);
    expect(ids(tilesToDraw([get('0/0'), get('2/0')], () => true, culled))).toEqual(['2/0']);
    // nothing in view ready below the root: the root
    expect(ids(tilesToDraw([get('0/0'), get('2/0')], (x) => x.id === '0/0', culled))).toEqual(['0/0', '2/0']);
    // what is culled is as the view knows it now: not known, a child missing keeps its parent drawn
    expect(ids(tilesToDraw([get('0/0'), get('2/0')], () => true))).toEqual(['0/0']);
  });

  it('a grandchild level complete under one child replaces that child only', () => {
    const sel = pick('0/0', '1/0', '1/1', '1/2', '1/3', '2/0', '2/1', '2/2', '2/3');
    expect(ids(tilesToDraw(sel, () => true))).toEqual(['1/1', '1/2', '1/3', '2/0', '2/1', '2/2', '2/3']);
  });
});
