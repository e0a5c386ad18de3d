import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';

/**
 * Sharding across machines for real: a second "host" — its own network namespace with its own sshd,
 * listening on that namespace's loopback only (no other address is ever used) — reached over ssh by GNU
 * parallel through scripts/tiles-parallel.sh, beside this machine (`:`). Both share this file system, as
 * cluster nodes share a folder. Needs root (network namespaces), `ip` and Debian's openssh-server
 * (scripts/setup.sh installs it); skipped, saying why, where any of these is missing.
 */
const SCRIPT = path.join(import.meta.dirname, '..', '..', 'scripts', 'tiles-parallel.sh');
const SSHD = '/usr/sbin/sshd';

function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'not root: network namespaces need root';
  if (!fs.existsSync(SSHD)) return `${SSHD} is missing (Debian openssh-server; scripts/setup.sh installs it)`;
  if (spawnSync('ip', ['-V']).status !== 0) return 'no `ip` (iproute2)';
  if (spawnSync('parallel', ['--version']).status !== 0) return 'no GNU parallel';
  if (spawnSync('unshare', ['-n', 'true']).status !== 0) return 'cannot make a network namespace here';
  return null;
}
const why = whyNot();
if (why) console.warn(`remote-shell test skipped: ${why}`);

/** Run scripts/tiles-parallel.sh without blocking the event loop (the sshd's log is read meanwhile). */
function runScript(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, ...args], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** Every file under `dir` (relative path → bytes), work files left out. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile() && !f.startsWith('.work')) out.set(f, fs.readFileSync(p));
  }
  return out;
}

describe('across machines: GNU parallel over ssh to a second host (a network namespace with its own sshd)', () => {
  const ns = `cf-ssh-${process.pid}`;
  let sshd: ChildProcess | null = null;
  afterAll(() => {
    sshd?.kill('SIGTERM');
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it.skipIf(!!why)(`scripts/tiles-parallel.sh with SSHLOGINS to the namespace's sshd and to this machine: the single-run bytes; a failing shard's exit code reaches the caller${why ? ` (skipped: ${why})` : ''}`, async () => {
    const dir = freshDir('tiles-remote-shell');
    const keys = path.join(dir, 'ssh');
    fs.mkdirSync(keys, { mode: 0o700 });
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { encoding: 'utf8' });
      expect(r.status, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    // the host: a namespace with only its loopback, an sshd on it, a key made for this test
    run('ip', ['netns', 'add', ns]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(keys, 'host'), '-C', 'cityforge-test-host']);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(keys, 'client'), '-C', 'cityforge-test-client']);
    fs.copyFileSync(path.join(keys, 'client.pub'), path.join(keys, 'authorized_keys'));
    fs.mkdirSync('/run/sshd', { recursive: true });
    fs.writeFileSync(path.join(keys, 'sshd_config'), [
      'Port 2222', 'ListenAddress 127.0.0.1', `HostKey ${path.join(keys, 'host')}`, `AuthorizedKeysFile ${path.join(keys, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no',
      `PidFile ${path.join(keys, 'sshd.pid')}`, '',
    ].join('\n'));
    const log: string[] = [];
    sshd = spawn('ip', ['netns', 'exec', ns, SSHD, '-D', '-e', '-f', path.join(keys, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr!.on('data', (d) => log.push(String(d)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`sshd did not start: ${log.join('')}`)), 10_000);
      sshd!.stderr!.on('data', () => /Server listening on 127\.0\.0\.1 port 2222/.test(log.join('')) && (clearTimeout(t), resolve()));
      sshd!.on('exit', (code) => (clearTimeout(t), reject(new Error(`sshd exited with ${code}: ${log.join('')}`))));
    });
    // how GNU parallel reaches it: ssh run inside the namespace (127.0.0.1 there is the host's sshd)
    const ssh = path.join(keys, 'ssh-to-host');
    fs.writeFileSync(ssh, `#!/bin/sh\nexec ip netns exec ${ns} ssh -i ${path.join(keys, 'client')} -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR "$@"\n`, { mode: 0o755 });
    expect(run(ssh, ['127.0.0.1', 'echo', 'reached']).trim()).toBe('reached');

    const input = path.join(dir, 'in');
    fs.mkdirSync(input);
    for (const t of ['15-5238-12666.mvt', '15-5238-12667.mvt']) fs.copyFileSync(path.join(DATA, 'sf-mvt', t), path.join(input, t));
    const single = path.join(dir, 'single');
    expect(cli(['tiles', input, '--max-buildings', '500', '-o', single, '-q']).code).toBe(0);
    const before = log.join('').match(/Accepted publickey/g)?.length ?? 0;
    // four shards, one job at a time on each host: the second host and this machine
    const out = path.join(dir, 'two-hosts');
    const env = { ...process.env, SSHLOGINS: '1/127.0.0.1,1/:', SSH: ssh };
    const r = await runScript([out, '4', input, '--', '--max-buildings', '500', '--jobs', '1'], env, dir);
    expect(r.status, r.stderr).toBe(0);
    const single_ = snapshot(single), two = snapshot(out);
    expect([...two.keys()].sort()).toEqual([...single_.keys()].sort());
    for (const [f, bytes] of single_) expect(Buffer.compare(two.get(f)!, bytes), f).toBe(0);
    // the second host did run shards (over ssh: its sshd accepted the client's key)
    expect((log.join('').match(/Accepted publickey/g)?.length ?? 0) - before).toBeGreaterThan(0);

    // a shard that fails (an input that is not there) stops the run with its exit code: 3, bad input
    const bad = await runScript([path.join(dir, 'bad'), '2', path.join(dir, 'missing.geojson'), '--', '--jobs', '1'], env, dir);
    expect(bad.status, bad.stderr).toBe(3);
    expect(bad.stderr).toMatch(/missing\.geojson/);
  });
});
