import type { Command, OptionValues } from 'commander';
import { tilesOwnOptions } from './tiles.js';
import type { CommandIO, CommandSpec } from '../command.js';
import { planOptions, ellipsoidalOption, readOptions, readOptionsOf, verbosityOptions, type ReadArgs, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge plan`. */
interface PlanArgs extends ReadArgs, VerbosityArgs {
  maxBuildings: number;
  workDir?: string;
  store?: string;
  replaceStore?: boolean;
}

/** `cityforge plan`: the work units of a tiles run, one JSON line each. */
export const planCommand: CommandSpec = {
  name: 'plan',
  inWorker: true,
  outputFolders: (opts) => opts['store'] ? [opts['store'] as string] : [],
  preload: () => import('../../pipeline/tiles.js'),
  quietByDefault: true,
  define: (program: Command) => {
    const c = verbosityOptions(
      planOptions(
        ellipsoidalOption(readOptions(
          program
            .command('plan')
            .description('Print the independent work units (tiles) of a tiles run as JSON lines: unit, index, level, buildings, leaf. Logs only errors unless -v.')
            .argument('<inputs...>', 'vector sources, as for tiles'),
        )),
        'keep the streamed feature store in <dir> (made once, reused by tiles --store <dir>, e.g. by every shard)',
      ),
      false,
    );
    // plan-refused-the-tiles-options: a script that gives plan and tiles one option list (tiles-parallel.sh
    // with STORE=) passes --tiles-options; plan takes tiles' own options then, hidden, and ignores them
    const own = new Set(c.options.map((o) => o.attributeName()));
    tilesOwnOptions(c).option('--json', 'print the run summary as JSON on stdout');
    const tilesOnly = c.options.filter((o) => !own.has(o.attributeName()));
    for (const o of tilesOnly) o.hideHelp();
    c.option('--replace-store', 'replace a store in --store made from other inputs or options (refused without it: shards may be reading it)');
    c.option('--tiles-options', "accept tiles' own options (--terrain, --imagery, --facades, --jobs, --shard, …) and ignore them: for a script that gives plan and tiles one option list");
    c.hook('preAction', (cmd) => {
      if (cmd.opts()['tilesOptions']) return;
      const given = tilesOnly.find((o) => cmd.getOptionValueSource(o.attributeName()) === 'cli');
      if (given) cmd.error(`error: ${given.long} is an option of tiles, not of plan (plan only reads the inputs and lists the tiles); --tiles-options takes tiles' options and ignores them`, { exitCode: 2, code: 'cityforge.tilesOption' });
    });
    return c.addHelpText('after', `\nExamples:\n  $ cityforge plan data/sf-mvt | head -3\n  $ cityforge plan city.osm.pbf --store /shared/store > units.jsonl\n  $ cityforge plan city.osm.pbf --store /shared/store --tiles-options --terrain dem.tif --jobs 2   # tiles' options ignored`);
  },
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const inputs = args[0] as string[];
    const o = raw as PlanArgs;
    const { planTiles } = await import('../../pipeline/tiles.js');
    const units = await planTiles(inputs, { ...readOptionsOf(o), maxBuildings: o.maxBuildings, workDir: o.workDir, store: o.store, replaceStore: !!o.replaceStore, logger: io.logger, progress: io.progress });
    io.stdout(units.map((u) => JSON.stringify(u) + '\n').join(''));
  },
};
