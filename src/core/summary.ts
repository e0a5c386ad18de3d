import type { Logger } from './logger.js';

/**
 * Counters every stage adds to: what was read, built, skipped (by reason) and warned about (by kind).
 * The CLI prints it at the end of a run; `--json` prints {@link Summary.toJSON}.
 */
export class Summary {
  /** Features read from all inputs (after layer/where filters). */
  featuresRead = 0;
  /** Buildings in the output (after re-joining tile pieces), their building parts included. */
  buildingsWritten = 0;
  /** Of `buildingsWritten`, the building parts (`building:part`, each under its outline). */
  partsWritten = 0;
  /** Triangles in the output meshes. */
  triangles = 0;
  /**
   * Whether the output holds meshes at all: `infer` writes parameters and `rasterize` rasters, and their `--json`
   * has no `triangles` (json-triangles-0-for-parameters: infer said 0 triangles, as if nothing had been made).
   */
  meshes = true;
  /** Bytes of the output file(s). */
  bytes = 0;
  /** Inputs read, in order. */
  readonly inputs: string[] = [];
  /** Features skipped, by reason. */
  readonly skipped = new Map<string, number>();
  /** Warnings, by kind (the feature was kept, possibly with a default or a repair). */
  readonly warnings = new Map<string, number>();
  /** Seconds spent per stage. */
  readonly timings = new Map<string, number>();
  /** Who the data read is by (as the sources say): what outputs credit. */
  readonly attributions = new Set<string>();
  /** The raster inputs (terrain, imagery: as the log names them) that say nothing of who their data is by. */
  readonly uncredited = new Set<string>();
  /** What the outputs were credited with (`--attribution`, else the sources' attributions), once written. */
  copyright: string | null = null;
  /** A tiles run's tiles (json-thin-for-bookkeeping: a scheduler could not tell a shard's work from the log). */
  tiles: TilesCount | null = null;
  /** First few examples per skip reason / warning kind, for the log. */
  readonly examples = new Map<string, string[]>();
  /**
   * Warnings about the run as a whole (no credit, a coarse raster, `--jobs` past the cores), each once,
   * as {@link Summary.logger} was given them (warnings-printed-not-counted: "warnings: none" under them).
   */
  readonly runWarnings: string[] = [];
  /** The logger given, whose warnings are also kept in {@link Summary.runWarnings}: a run warns through it. */
  readonly logger: Logger;

  /**
   * @param log where every skip and warning is named, at debug level (`-v`): one line each, with
   *   the file, layer and feature id its caller gives.
   */
  constructor(private readonly log?: Logger) {
    this.logger = {
      ...(log?.level ? { level: log.level } : {}),
      debug: (m) => log?.debug(m),
      info: (m) => log?.info(m),
      warn: (m) => {
        this.runWarning(m);
        log?.warn(m);
      },
      error: (m) => log?.error(m),
    };
  }

  /** Keep a warning about the run (once). */
  private runWarning(message: string): void {
    if (!this.runWarnings.includes(message)) this.runWarnings.push(message);
  }

  /** Count a skipped feature under `reason`; `detail` names the file, layer and feature. */
  skip(reason: string, detail?: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    if (detail) {
      this.example(`skip:${reason}`, detail);
      this.log?.debug(`skipped (${reason}) ${detail}`);
    }
  }

  /** Count a warning of `kind`; `detail` names the file, layer and feature. */
  warn(kind: string, detail?: string): void {
    this.warnings.set(kind, (this.warnings.get(kind) ?? 0) + 1);
    if (detail) {
      this.example(`warn:${kind}`, detail);
      this.log?.debug(`warning (${kind}) ${detail}`);
    }
  }

  /** Add `seconds` to the stage timing `stage`. */
  time(stage: string, seconds: number): void {
    this.timings.set(stage, (this.timings.get(stage) ?? 0) + seconds);
  }

  /** Total skipped features. */
  get skippedTotal(): number {
    let n = 0;
    for (const v of this.skipped.values()) n += v;
    return n;
  }

  private example(key: string, detail: string): void {
    const list = this.examples.get(key) ?? [];
    if (list.length < 3) list.push(detail);
    this.examples.set(key, list);
  }

  /** Add the counts of another summary (e.g. a worker's): skips, warnings, buildings and parts written, triangles, bytes. */
  add(o: SummaryJSON): void {
    this.buildingsWritten += o.buildingsWritten;
    this.partsWritten += o.partsWritten;
    for (const [k, v] of Object.entries(o.skipped)) this.skipped.set(k, (this.skipped.get(k) ?? 0) + v);
    for (const [k, v] of Object.entries(o.warnings)) this.warnings.set(k, (this.warnings.get(k) ?? 0) + v);
    this.triangles += o.triangles ?? 0;
    this.bytes += o.bytes;
    for (const a of o.attributions ?? []) this.attributions.add(a);
    for (const m of o.runWarnings ?? []) this.runWarning(m);
  }

  /** A plain, stable JSON form (keys sorted) for `--json` and tests. */
  toJSON(): SummaryJSON {
    const sorted = (m: Map<string, number>) =>
      Object.fromEntries([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    const timings: Record<string, number> = {};
    for (const [k, v] of [...this.timings.entries()].sort()) timings[k] = Math.round(v * 1000) / 1000;
    return {
      inputs: [...this.inputs],
      featuresRead: this.featuresRead,
      buildings: this.buildingsWritten - this.partsWritten,
      buildingsWritten: this.buildingsWritten,
      partsWritten: this.partsWritten,
      skipped: sorted(this.skipped),
      skippedTotal: this.skippedTotal,
      warnings: sorted(this.warnings),
      runWarnings: [...this.runWarnings],
      ...(this.meshes ? { triangles: this.triangles } : {}),
      bytes: this.bytes,
      timings,
      attributions: [...this.attributions].sort(),
      ...(this.copyright !== null ? { copyright: this.copyright } : {}),
      ...(this.tiles ? { tiles: { ...this.tiles } } : {}),
    };
  }
}

/** What a tiles run did with its tiles. */
export interface TilesCount {
  /** Tiles this run built. */
  built: number;
  /** Tiles already complete, kept (a resumed run). */
  kept: number;
  /** Tiles this run is for (its shard's, its units', or every one). */
  run: number;
  /** Tiles of the whole plan. */
  plan: number;
  /** `i/N` of a shard run, else null. */
  shard: string | null;
  /** The output folder (absolute). */
  output: string;
}

/** The JSON shape of a {@link Summary}. */
export interface SummaryJSON {
  inputs: string[];
  featuresRead: number;
  /** Buildings written, their parts not counted (what the plain summary calls buildings). */
  buildings: number;
  /** Every building and building part written (rows of infer's output, features of a GLB's table). */
  buildingsWritten: number;
  /** Building parts written. */
  partsWritten: number;
  skipped: Record<string, number>;
  skippedTotal: number;
  warnings: Record<string, number>;
  /** Warnings about the run as a whole, as the log printed them (each once, in order). */
  runWarnings: string[];
  /** Triangles in the output meshes; absent where the output has none (`infer`, `rasterize`). */
  triangles?: number;
  bytes: number;
  timings: Record<string, number>;
  attributions: string[];
  /** What the outputs credit (json-credit-unsaid: `attributions` are the sources', not a given `--attribution`). */
  copyright?: string;
  /** A tiles run's tiles. */
  tiles?: TilesCount;
}
