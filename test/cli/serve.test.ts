import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';

/** One raw request (the path sent as it is, any method and Host). */
function request(port: number, rawPath: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cityforge view: a server that any web page can reach never dies and serves nothing outside its root', () => {
  let dir: string;
  let child: ChildProcess;
  let port = 0;
  beforeAll(async () => {
    dir = freshDir('serve');
    const tiles = path.join(dir, 'tiles');
    expect(cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', tiles, '-q']).code).toBe(0);
    fs.symlinkSync('/etc/passwd', path.join(tiles, 'passwd-link'));
    fs.mkdirSync(path.join(tiles, 'link'));
    fs.symlinkSync('/etc', path.join(tiles, 'link', 'etc'));
    child = spawn(process.execPath, [CLI, 'view', tiles, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c) => {
        out += c;
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`view exited ${code}`)));
    });
  });
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('view-crashed-on-a-malformed-url: /%E0%A4%A is a 400, and the server goes on', async () => {
    expect((await request(port, '/%E0%A4%A')).status).toBe(400);
    expect((await request(port, '/%00')).status).toBe(400);
    expect((await request(port, '/')).status).toBe(200);
  });

  it('view-followed-symlinks-out-of-the-tileset: links out of the served folder, and ../, are not served', async () => {
    for (const p of ['/data/passwd-link', '/data/link/etc/passwd', '/data/../../../../etc/passwd', '/data/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc/passwd']) {
      const r = await request(port, p);
      expect(r.status, p).toBe(404);
      expect(r.body).not.toMatch(/root:/);
    }
    expect((await request(port, '/data/tileset.json')).status).toBe(200);
  });

  it('view-answered-post-put-delete-with-200: only GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await request(port, '/data/tileset.json', { method })).status, method).toBe(405);
    expect((await request(port, '/data/tileset.json', { method: 'HEAD' })).status).toBe(200);
  });

  it('view-ignored-the-host-header (DNS rebinding): another name is refused, localhost is not', async () => {
    expect((await request(port, '/data/tileset.json', { host: 'evil.example:80' })).status).toBe(403);
    expect((await request(port, '/data/tileset.json', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('a garbage request line does not stop it; a busy port is a usage error (exit 2)', async () => {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end('GARBAGE \x00\x01\x02 HTTP/9.9\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect((await request(port, '/')).status).toBe(200);
    const busy = cli(['view', path.join(dir, 'tiles'), '--port', String(port)]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*choose another --port/);
  });
});

describe('cityforge view on what is not (yet) a model', () => {
  it('unfinished-tileset-said-no-glb: an interrupted tiles run\'s folder (plan.json and tiles, no tileset.json) is said to be unfinished, with the way to finish it (exit 3)', () => {
    const dir = freshDir('serve-unfinished');
    const tiles = path.join(dir, 'tiles');
    expect(cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', tiles, '-q']).code).toBe(0);
    // what an interrupted run leaves: its plan and tiles, no tileset.json (root glbs there too)
    fs.rmSync(path.join(tiles, 'tileset.json'));
    fs.copyFileSync(path.join(tiles, 'tiles', '0', '0', '0.glb'), path.join(tiles, 'stray.glb'));
    const r = cli(['view', tiles]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/tiles: an unfinished tileset \(its plan\.json and tiles, no tileset\.json yet\): run the same cityforge tiles command again/);
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    const e = cli(['view', empty]);
    expect(e.code).toBe(3);
    expect(e.stderr).toMatch(/empty: no \.glb file or tileset\.json in this folder/);
  });

  it('viewer-missing-was-a-bug: an install whose web viewer is not built says so in one line, and how to build it (exit 3, no stack trace)', () => {
    // (the CLI and its bundle copied without dist/viewer: the message came twice, the second with a stack trace, exit 1)
    const dir = freshDir('serve-no-viewer');
    const root = path.join(dir, 'install');
    fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
    fs.cpSync(path.join(path.dirname(CLI)), path.join(root, 'bin'), { recursive: true });
    fs.cpSync(path.join(path.dirname(CLI), '..', 'dist', 'run'), path.join(root, 'dist', 'run'), { recursive: true });
    fs.cpSync(path.join(path.dirname(CLI), '..', 'dist', 'ingest', 'gdal-preload.js'), path.join(root, 'dist', 'ingest', 'gdal-preload.js'));
    fs.copyFileSync(path.join(path.dirname(CLI), '..', 'package.json'), path.join(root, 'package.json'));
    fs.symlinkSync(path.join(path.dirname(CLI), '..', 'node_modules'), path.join(root, 'node_modules'));
    const glb = path.join(dir, 'one.glb');
    expect(cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', glb, '-q']).code).toBe(0);
    for (const args of [['view', glb, '--port', '0'], ['view', glb, '--export', path.join(dir, 'site')]]) {
      const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cityforge.js'), ...args], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/dist\/viewer: the web viewer is not built in this install; run `npm run build` in .*install/);
    }
    expect(fs.existsSync(path.join(dir, 'site'))).toBe(false);
  });

  it('fifo-input-hung-past-sigterm: a named pipe to view is refused at once (exit 3)', () => {
    const dir = freshDir('serve-fifo');
    const fifo = path.join(dir, 'model.glb');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = spawnSync(process.execPath, [CLI, 'view', fifo, '--port', '0'], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/model\.glb: not a file or a folder \(a pipe or a device\)/);
  });
});
