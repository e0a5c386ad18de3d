import type { Command, OptionValues } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CommandIO, CommandSpec } from '../command.js';
import { verbosityOptions } from '../options.js';
import { exportSite, resolveModel, serveViewer } from '../serve.js';

const baseMapUrl = (v: string): string => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`--basemap must be an http(s) URL (a style.json, or tiles with {z}/{x}/{y}), not "${v}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`--basemap must be an http(s) URL, not ${u.protocol}`);
  return v;
};

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('--port must be 0..65535');
  return n;
};

/** `cityforge view`: the web viewer on a GLB or a tileset (served, or exported as a static site). */
export const viewCommand: CommandSpec = {
  name: 'view',
  inWorker: false,
  define: (program: Command) =>
    verbosityOptions(
      program
        .command('view')
        .description('Show a GLB or a tileset in the web viewer (three.js model view and deck.gl map view, per-building picking), served on localhost; or export it as a static site.')
        .argument('<target>', 'a .glb file, a tileset folder (its tileset.json), or a folder (its first .glb)')
        .option('--port <n>', 'port to listen on (0: any free port)', port, 8080)
        .option('--host <host>', 'address to listen on (0.0.0.0 to reach it from other machines)', '127.0.0.1')
        .option('--export <dir>', 'write a self-contained static site (viewer + data) to <dir> instead of serving')
        .option('--basemap <url>', 'a base map under the map view, fetched by the browser (online): a MapLibre style URL (style.json) or a raster tile URL template with {z}/{x}/{y}; its attribution is shown on the map', baseMapUrl)
        .option('--basemap-attribution <text>', 'the credit a tile template\'s provider asks for, shown on the map and in saved pictures (OpenStreetMap\'s own tiles get theirs without it)'),
      false,
    ).addHelpText('after', `\nThe viewer never opens a browser itself (runs over ssh stay quiet): open the printed URL, or forward the port:\n  $ ssh -L 8080:localhost:8080 server   # then http://localhost:8080/\nExamples:\n  $ cityforge view out/sf.glb\n  $ cityforge view out/sf-tiles\n  $ cityforge view out/sf.glb --export site/ && npx serve site/\n  $ cityforge view out/sf.glb --basemap 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'`),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const o = raw as { port: number; host: string; export?: string; basemap?: string; basemapAttribution?: string };
    const config = { ...(o.basemap ? { basemap: o.basemap } : {}), ...(o.basemapAttribution ? { basemapAttribution: o.basemapAttribution } : {}) };
    const model = resolveModel(args[0] as string);
    if (o.export) {
      const files = exportSite(model, o.export, config);
      io.stdout(`cityforge view: wrote a static site to ${o.export} (${files.join(', ')}); serve it with any static web server\n`);
      return;
    }
    const { url } = await serveViewer(model, o.host, o.port, io.logger, config);
    io.stdout(`cityforge view: ${url}\n`);
    await new Promise(() => {}); // serve until interrupted
  },
};
