import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttled } from '../../src/viewer/throttle.js';

describe('throttled (the viewer\'s address writer)', () => {
  afterEach(() => vi.useRealTimers());

  it('map-wheel-left-the-link-behind: changes every 100 ms for 2 s write the address every 150 ms meanwhile, and once after the last', () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const t = throttled(() => runs.push(Date.now()), 150);
    const start = Date.now();
    for (let k = 0; k < 20; k++) {
      t.trigger();
      vi.advanceTimersByTime(100);
    }
    // (before: not once while the changes kept coming)
    expect(runs.length).toBeGreaterThanOrEqual(9);
    expect(runs[0] - start).toBe(150);
    vi.advanceTimersByTime(1000);
    // the last change (at 1.9 s) is written within 150 ms of it, and nothing after
    expect(runs[runs.length - 1] - start).toBeGreaterThanOrEqual(1900);
    expect(runs[runs.length - 1] - start).toBeLessThanOrEqual(2050);
    const n = runs.length;
    vi.advanceTimersByTime(1000);
    expect(runs.length).toBe(n);
  });

  it('cancel drops the run that is due (an address from outside wins)', () => {
    vi.useFakeTimers();
    let runs = 0;
    const t = throttled(() => runs++, 150);
    t.trigger();
    t.cancel();
    vi.advanceTimersByTime(500);
    expect(runs).toBe(0);
    t.trigger();
    vi.advanceTimersByTime(150);
    expect(runs).toBe(1);
  });
});
