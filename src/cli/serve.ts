import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/logger.js';
import { InputError, OutputError, UsageError } from '../core/errors.js';
import { makeDirs, tempName } from '../io/files.js';

const VIEWER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'viewer');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.glb': 'model/gltf-binary',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The GLB to show: the file itself, a tileset folder (its tileset.json), or the first .glb (by name) in a folder. */
export function resolveModel(target: string): string {
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (!st) throw new InputError('view', `${target}: no such file or folder`);
  // (fifo-input-hung-past-sigterm: reading a pipe no one writes to waits for ever)
  if (!st.isFile() && !st.isDirectory()) throw new InputError('view', `${target}: not a file or a folder (a pipe or a device); save the model to a file first`);
  if (st.isDirectory()) {
    if (fs.existsSync(path.join(target, 'tileset.json'))) return path.join(target, 'tileset.json');
    // (unfinished-tileset-said-no-glb: an interrupted tiles run's folder holds tiles and its plan, no tileset.json yet)
    if (fs.existsSync(path.join(target, 'plan.json')))
      throw new InputError('view', `${target}: an unfinished tileset (its plan.json and tiles, no tileset.json yet): run the same cityforge tiles command again to finish it (it resumes), or merge its shards`);
    const glb = fs.readdirSync(target).filter((f) => f.endsWith('.glb')).sort()[0];
    if (!glb) throw new InputError('view', `${target}: no .glb file or tileset.json in this folder`);
    return path.join(target, glb);
  }
  if (!/\.glb$|tileset\.json$/i.test(target))
    throw new InputError('view', `${target}: not a .glb file or a tileset${/\.(city\.jsonl?|jsonl)$/i.test(target) ? `; build it first: cityforge build ${target} -o ${target.replace(/\.(city\.jsonl?|jsonl)$/i, '.glb')}` : ''}`);
  checkModel(target);
  return target;
}

/** A GLB must have a glTF 2 binary header whose length is the file's; a tileset.json must be 3D Tiles JSON. */
function checkModel(file: string): void {
  const size = fs.statSync(file).size;
  if (/tileset\.json$/i.test(file)) {
    let version: unknown;
    try {
      version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { asset?: { version?: unknown } }).asset?.version;
    } catch (e) {
      throw new InputError('view', `${file}: not JSON (${(e as Error).message})`);
    }
    if (typeof version !== 'string') throw new InputError('view', `${file}: not a 3D Tiles tileset (no asset.version)`);
    return;
  }
  const head = Buffer.alloc(12);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 12, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1', 0, 4) !== 'glTF' || head.readUInt32LE(4) !== 2 || head.readUInt32LE(8) !== size)
    throw new InputError('view', `${file}: not a glTF 2.0 binary (GLB) file${head.toString('latin1', 0, 4) === 'glTF' ? ' (cut short or damaged: its header says another length)' : ''}`);
}

function viewerDir(): string {
  // (viewer-missing-was-a-bug: an install without the viewer's build said so twice, with a stack trace, exit 1)
  if (!fs.existsSync(path.join(VIEWER, 'index.html')))
    throw new InputError('view', `${path.resolve(VIEWER)}: the web viewer is not built in this install; run \`npm run build\` in ${path.resolve(VIEWER, '..', '..')} (the README's install command does it)`);
  return VIEWER;
}

/** The real path of `p` if it is a file inside the real folder `root`, else null (symbolic links out of it refused). */
function insideRoot(root: string, p: string): string | null {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch {
    return null;
  }
  if (!real.startsWith(root + path.sep)) return null;
  try {
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The names a browser may use to reach a server bound to `host` (DNS rebinding: any other name is refused). */
function allowedHosts(host: string): (name: string) => boolean {
  const local = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const bound = host.includes(':') ? `[${host}]` : host;
  return (name) => {
    const h = name.replace(/:\d+$/, '').toLowerCase();
    if (local.has(h) || h === bound.toLowerCase()) return true;
    // bound to every address: reachable by any IP literal, or this machine's own name
    return wildcard && (/^\d{1,3}(\.\d{1,3}){3}$/.test(h) || /^\[[0-9a-f:.]+\]$/.test(h) || h === os.hostname().toLowerCase());
  };
}

/** What the viewer is told besides its data (config.json). */
export interface ViewerConfig {
  /** A base map under the map view: a MapLibre style URL, or a raster tile URL template ({z}/{x}/{y}). */
  basemap?: string;
  /** The base map's credit, where its tiles (a template) do not say it. */
  basemapAttribution?: string;
}

/**
 * The viewer's config.json: where its data is, when it was built (the file's modification time: the
 * model itself holds no date, its bytes depend on its inputs only) and the options given.
 */
function viewerConfig(model: string, data: { glb: string } | { tileset: string }, options: ViewerConfig): Record<string, string> {
  // the name the user knows it by: the GLB's file name, the tileset's folder
  const name = 'tileset' in data ? `${path.basename(path.dirname(path.resolve(model)))}/` : path.basename(model);
  return { ...data, name, built: fs.statSync(model).mtime.toISOString(), ...(options.basemap ? { basemap: options.basemap } : {}), ...(options.basemapAttribution ? { basemapAttribution: options.basemapAttribution } : {}) };
}

/** Answer a request with a short plain-text status. */
function refuse(res: http.ServerResponse, code: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text + '\n');
}

/**
 * Serve the viewer and one GLB (or a tileset folder) on `host:port` (0: any free port). Resolves once
 * listening, with the URL. Hardened for a server any web page in the user's browser can reach: GET
 * and HEAD only, paths resolved (symbolic links included) inside the served folders only, the Host
 * header checked against the bound address (DNS rebinding), and no request can stop it.
 */
export async function serveViewer(model: string, host: string, port: number, logger: Logger, options: ViewerConfig = {}): Promise<{ url: string; server: http.Server }> {
  const root = fs.realpathSync(viewerDir());
  const name = path.basename(model);
  const isTileset = name === 'tileset.json';
  const dataDir = fs.realpathSync(path.dirname(path.resolve(model)));
  const hostOk = allowedHosts(host);
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    if (!hostOk(req.headers.host ?? '')) return refuse(res, 403, 'forbidden host');
    let url: string;
    try {
      url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    } catch {
      return refuse(res, 400, 'bad request');
    }
    if (url.includes('\0')) return refuse(res, 400, 'bad request');
    if (url === '/config.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      res.end(JSON.stringify(viewerConfig(model, isTileset ? { tileset: 'data/tileset.json' } : { glb: `data/${name}` }, options)));
      return;
    }
    let file: string | null = null;
    if (url === `/data/${name}`) file = insideRoot(dataDir, path.join(dataDir, name));
    else if (isTileset && url.startsWith('/data/')) file = insideRoot(dataDir, path.join(dataDir, url.slice('/data/'.length)));
    else file = insideRoot(root, path.join(root, url === '/' ? 'index.html' : url));
    if (!file) return refuse(res, 404, 'not found');
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': size });
    if (req.method === 'HEAD') return void res.end();
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      logger.warn(`view: ${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    }
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new UsageError('view', `cannot listen on ${host}:${port}: ${(e as Error).message} (choose another --port or --host)`)));
    server.listen(port, host, resolve);
  });
  const addr = server.address() as { port: number };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`;
  logger.info(`serving ${model} with the viewer; press Ctrl-C to stop`);
  return { url, server };
}

/**
 * The files a tileset references, relative to its folder: tileset.json, every content URI and, through
 * external tilesets (content ending `.json`), theirs, and the find index's buckets. Nothing else of a
 * tiles output (plan.json, the per-tile records) belongs on a web site.
 */
function tilesetFiles(root: string): string[] {
  const out = new Set<string>();
  const visit = (rel: string) => {
    if (out.has(rel)) return;
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) throw new InputError('view', `${file}: referenced by the tileset but missing`);
    out.add(rel);
    if (!rel.endsWith('.json')) return;
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new InputError('view', `${file}: not JSON (${(e as Error).message})`);
    }
    const walk = (node: unknown) => {
      if (!node || typeof node !== 'object') return;
      const n = node as { content?: { uri?: unknown }; contents?: { uri?: unknown }[]; children?: unknown[] };
      for (const c of [n.content, ...(n.contents ?? [])]) {
        if (!c || typeof c.uri !== 'string' || /^[a-z]+:/i.test(c.uri)) continue;
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), decodeURI(c.uri.split(/[?#]/)[0])));
        if (target.startsWith('..')) throw new InputError('view', `${file}: content ${c.uri} lies outside the tileset's folder`);
        visit(target);
      }
      for (const k of n.children ?? []) walk(k);
    };
    walk((json as { root?: unknown }).root);
    // the find index's buckets (cityforge tiles), which the viewer's search fetches
    const find = (json as { asset?: { extras?: { cityforge?: { find?: { dir?: unknown; buckets?: unknown } } } } }).asset?.extras?.cityforge?.find;
    if (rel === 'tileset.json' && find && find.dir === 'find' && Array.isArray(find.buckets))
      for (const b of find.buckets) if (typeof b === 'string' && /^[0-9a-f]{2}$/.test(b)) visit(`find/${b}.json`);
  };
  visit('tileset.json');
  return [...out].sort();
}

/**
 * Write a self-contained static site (viewer + data) to `dir`, for any static host. It is built under a
 * temporary name beside `dir` and renamed into place; a previous site there (it has index.html and
 * config.json) is replaced whole, so no file of an older export stays. A folder holding anything else
 * is refused.
 */
export function exportSite(model: string, dir: string, options: ViewerConfig = {}): string[] {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new OutputError('view', `cannot write ${dir}: a file is there, not a folder`);
    const had = fs.readdirSync(dir);
    if (had.length && !(had.includes('index.html') && had.includes('config.json'))) throw new OutputError('view', `cannot write ${dir}: the folder holds other files (not a site cityforge exported); choose an empty or new folder`);
  }
  const root = viewerDir();
  const parent = path.dirname(path.resolve(dir));
  makeDirs(parent);
  const staging = tempName(dir);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    makeDirs(path.join(staging, 'data'));
    fs.cpSync(root, staging, { recursive: true });
    const name = path.basename(model);
    let files: string[];
    if (name === 'tileset.json') {
      const src = path.dirname(model);
      for (const rel of tilesetFiles(src)) {
        makeDirs(path.dirname(path.join(staging, 'data', rel)));
        fs.copyFileSync(path.join(src, rel), path.join(staging, 'data', rel));
      }
      fs.writeFileSync(path.join(staging, 'config.json'), JSON.stringify(viewerConfig(model, { tileset: 'data/tileset.json' }, options)) + '\n');
      files = ['index.html', 'config.json', 'data/tileset.json'];
    } else {
      fs.copyFileSync(model, path.join(staging, 'data', name));
      fs.writeFileSync(path.join(staging, 'config.json'), JSON.stringify(viewerConfig(model, { glb: `data/${name}` }, options)) + '\n');
      files = ['index.html', 'config.json', `data/${name}`];
    }
    const old = path.join(parent, `.${path.basename(dir)}.old-${process.pid}`);
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(staging, dir);
    fs.rmSync(old, { recursive: true, force: true });
    return files;
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
