/**
 * `fn` run at most every `ms` milliseconds while changes keep coming: a change schedules a run `ms` after
 * it unless one is already due, so the last run follows the last change within `ms`, and a stream of
 * changes never postpones it (map-wheel-left-the-link-behind: the address was written `ms` after the
 * changes *stopped*, and the tileset's map view, drawing frame after frame while its tiles streamed in,
 * kept it seconds behind the camera). `cancel` drops a run that is due.
 *
 * @example
 * ```ts
 * const save = throttled(() => history.replaceState(null, '', linkNow()), 150);
 * view.onCameraChange = save.trigger;
 * ```
 */
export function throttled(fn: () => void, ms: number): { trigger(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    trigger() {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
