/** A tile of a tileset's tree as loaders.gl keeps it: its id, and its place in the tree. */
export interface TreeTile {
  id: string;
  parent?: TreeTile | null;
  children?: TreeTile[];
}

/**
 * The tiles to draw under REPLACE refinement from those a tileset layer selects: a tile gives way to its
 * children only when every one of them in the view (not `culled`: out of the view's frustum, as known this
 * frame) is drawn in its place (itself ready, or its own children in the view all in its place); otherwise it is drawn if `ready`. A selected tile not yet ready is listed too, under a drawn
 * tile as well (it is awaited: what is drawn there is not settled); the caller draws only the ready ones. Children drawn alongside a parent that is not replaced
 * whole are left out: a block and its leaves never draw over each other.
 *
 * map-view-left-a-block-out: a tile was left out as soon as one of its children was ready; after a find
 * had loaded one leaf in close, the view from afar drew that leaf alone where its parent's block stood.
 *
 * @example
 * ```ts
 * // the root and one of its four children selected and ready: the root alone
 * tilesToDraw([root, child], (t) => true); // [root]
 * ```
 */
export function tilesToDraw<T extends TreeTile>(selected: readonly T[], ready: (t: T) => boolean, culled: (t: T) => boolean = () => false): T[] {
  const chosen = new Set(selected.map((t) => t.id));
  const isReady = (t: T) => chosen.has(t.id) && ready(t);
  const memo = new Map<string, boolean>();
  // (a child out of the view is culled, not missing: it stands in its place too, when another one is drawn)
  const whole = (t: T): boolean => {
    let w = memo.get(t.id);
    if (w === undefined) {
      const kids = (t.children ?? []) as T[];
      w = isReady(t) || (kids.length > 0 && kids.every((k) => culled(k) || whole(k)) && kids.some((k) => !culled(k)));
      memo.set(t.id, w);
    }
    return w;
  };
  const replaced = (kids: T[]) => kids.length > 0 && kids.every((k) => culled(k) || whole(k)) && kids.some((k) => !culled(k));
  const roots = new Set<T>();
  for (const t of selected) {
    let r: T = t;
    while (r.parent) r = r.parent as T;
    roots.add(r);
  }
  const out: T[] = [];
  const visit = (t: T): void => {
    const kids = (t.children ?? []) as T[];
    if (replaced(kids)) return kids.filter((k) => !culled(k)).forEach(visit);
    if (isReady(t)) {
      out.push(t);
      // (its selected descendants still on their way: awaited, so not settled)
      const awaited = (d: T): void => {
        if (chosen.has(d.id) && !isReady(d)) out.push(d);
        ((d.children ?? []) as T[]).forEach(awaited);
      };
      return kids.forEach(awaited);
    }
    if (chosen.has(t.id)) out.push(t);
    kids.forEach(visit);
  };
  roots.forEach(visit);
  return out;
}
