/**
 * Frames each view has drawn. Browser tests wait for the view on screen to have drawn since it came
 * on and then to stay quiet for a few animation frames (`window.cityforge.quiet()`), not for a fixed
 * time that a slower machine overruns.
 */
export const drawn = { model: 0, map: 0, /** shadow maps drawn (the three.js views draw one only when its casters change) */ shadows: 0 };

/** Count a frame drawn by the model view (three.js) or the map view (deck.gl). */
export function drew(view: 'model' | 'map'): void {
  drawn[view]++;
}
