import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/logger.js';
import { InputError, UsageError } from '../core/errors.js';

const VIEWER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'viewer');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.glb': 'model/gltf-binary',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The GLB to show: the file itself, a tileset folder (its tileset.json), or the first .glb (by name) in a folder. */
export function resolveModel(target: string): string {
  if (!fs.existsSync(target)) throw new InputError('view', `${target}: no such file or folder`);
  if (fs.statSync(target).isDirectory()) {
    if (fs.existsSync(path.join(target, 'tileset.json'))) return path.join(target, 'tileset.json');
    const glb = fs.readdirSync(target).filter((f) => f.endsWith('.glb')).sort()[0];
    if (!glb) throw new InputError('view', `${target}: no .glb file in this folder`);
    return path.join(target, glb);
  }
  if (!/\.glb$|tileset\.json$/i.test(target)) throw new InputError('view', `${target}: not a .glb file or a tileset`);
  return target;
}

function viewerDir(): string {
  if (!fs.existsSync(path.join(VIEWER, 'index.html'))) throw new Error('cityforge: the viewer is not built (run npm run build)');
  return VIEWER;
}

/** Serve the viewer and one GLB on `host:port` (0: any free port). Resolves once listening, with the URL. */
export async function serveViewer(model: string, host: string, port: number, logger: Logger): Promise<{ url: string; server: http.Server }> {
  const root = viewerDir();
  const name = path.basename(model);
  const isTileset = name === 'tileset.json';
  const dataDir = path.resolve(path.dirname(model));
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    let file: string | null = null;
    if (url === '/config.json') {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      res.end(JSON.stringify(isTileset ? { tileset: 'data/tileset.json' } : { glb: `data/${name}` }));
      return;
    }
    if (url === `/data/${name}`) file = model;
    else if (isTileset && url.startsWith('/data/')) {
      const p = path.normalize(path.join(dataDir, url.slice('/data/'.length)));
      if (p.startsWith(dataDir + path.sep) && fs.existsSync(p) && fs.statSync(p).isFile()) file = p;
    } else {
      const p = path.normalize(path.join(root, url === '/' ? 'index.html' : url));
      if (p.startsWith(root + path.sep) && fs.existsSync(p) && fs.statSync(p).isFile()) file = p;
    }
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new UsageError('view', `cannot listen on ${host}:${port}: ${(e as Error).message} (choose another --port or --host)`)));
    server.listen(port, host, resolve);
  });
  const addr = server.address() as { port: number };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`;
  logger.info(`serving ${model} with the viewer; press Ctrl-C to stop`);
  return { url, server };
}

/** Write a self-contained static site (viewer + data) to `dir`, for any static host. */
export function exportSite(model: string, dir: string): string[] {
  const root = viewerDir();
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.cpSync(root, dir, { recursive: true });
  const name = path.basename(model);
  if (name === 'tileset.json') {
    fs.cpSync(path.dirname(model), path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ tileset: 'data/tileset.json' }) + '\n');
    return ['index.html', 'config.json', 'data/tileset.json'];
  }
  fs.copyFileSync(model, path.join(dir, 'data', name));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ glb: `data/${name}` }) + '\n');
  return ['index.html', 'config.json', `data/${name}`];
}
