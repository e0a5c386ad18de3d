import type { Command, OptionValues } from 'commander';
import type { CommandIO, CommandSpec } from '../command.js';
import { planOptions, readOptions, readOptionsOf, verbosityOptions, type ReadArgs, type VerbosityArgs } from '../options.js';

/** What commander gives for `cityforge plan`. */
interface PlanArgs extends ReadArgs, VerbosityArgs {
  maxBuildings: number;
  workDir?: string;
  store?: string;
}

/** `cityforge plan`: the work units of a tiles run, one JSON line each. */
export const planCommand: CommandSpec = {
  name: 'plan',
  inWorker: true,
  preload: () => import('../../pipeline/tiles.js'),
  quietByDefault: true,
  define: (program: Command) =>
    verbosityOptions(
      planOptions(
        readOptions(
          program
            .command('plan')
            .description('Print the independent work units (tiles) of a tiles run as JSON lines: unit, index, level, buildings, leaf. Logs only errors unless -v.')
            .argument('<inputs...>', 'vector sources, as for tiles'),
        ),
        'keep the streamed feature store in <dir> (made once, reused by tiles --store <dir>, e.g. by every shard)',
      ),
      false,
    ).addHelpText('after', `\nExamples:\n  $ cityforge plan data/sf-mvt | head -3\n  $ cityforge plan city.osm.pbf --store /shared/store > units.jsonl`),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const inputs = args[0] as string[];
    const o = raw as PlanArgs;
    const { planTiles } = await import('../../pipeline/tiles.js');
    const units = await planTiles(inputs, { ...readOptionsOf(o), maxBuildings: o.maxBuildings, workDir: o.workDir, store: o.store, logger: io.logger, progress: io.progress });
    io.stdout(units.map((u) => JSON.stringify(u) + '\n').join(''));
  },
};
