/** What the navigation overlay shows: the view's heading and its scale at the point looked at. */
export interface NavState {
  /** Compass bearing (degrees clockwise from north) the view looks towards. */
  bearing: number;
  /** Ground metres per CSS pixel at the point looked at. */
  metresPerPixel: number;
}

/** The longest scale bar, CSS pixels. */
const MAX_BAR = 120;

/** A round length (1, 2 or 5 × 10ⁿ metres) that fits in `maxMetres`. */
export function roundLength(maxMetres: number): number {
  const p = 10 ** Math.floor(Math.log10(maxMetres));
  return [5, 2, 1].map((k) => k * p).find((v) => v <= maxMetres) ?? p;
}

/** A length as people read it: "500 m", "2 km". */
const lengthText = (m: number) => (m >= 1000 ? `${m / 1000} km` : m >= 1 ? `${m} m` : `${Math.round(m * 100)} cm`);

/**
 * The compass (its needle points north; a click turns the view north-up) and the scale bar (a round
 * length at the point looked at), bottom left over both views.
 */
export class NavOverlay {
  private readonly needle: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly label: HTMLElement;
  /** What the overlay shows now (tests read it). */
  state: NavState & { barMetres: number; barPixels: number } = { bearing: 0, metresPerPixel: 1, barMetres: 0, barPixels: 0 };

  constructor(onNorth: () => void) {
    const compass = document.getElementById('compass') as HTMLButtonElement;
    this.needle = compass.querySelector('.needle')!;
    this.bar = document.querySelector('#scale .bar')!;
    this.label = document.querySelector('#scale .label')!;
    compass.addEventListener('click', onNorth);
  }

  update(s: NavState): void {
    if (!(s.metresPerPixel > 0) || !Number.isFinite(s.bearing)) return;
    const metres = roundLength(s.metresPerPixel * MAX_BAR);
    const px = metres / s.metresPerPixel;
    this.state = { ...s, barMetres: metres, barPixels: px };
    // the needle points north: turned against the view's bearing, the short way round
    this.needle.style.transform = `rotate(${((((-s.bearing + 540) % 360) + 360) % 360) - 180}deg)`;
    this.bar.style.width = `${px.toFixed(1)}px`;
    this.label.textContent = lengthText(metres);
  }
}
