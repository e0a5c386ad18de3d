import path from 'node:path';
import type { Command, OptionValues } from 'commander';
import type { CommandIO, CommandSpec } from '../command.js';
import { verbosityOptions, type VerbosityArgs } from '../options.js';

/** `cityforge merge`: tileset.json from shard outputs. */
export const mergeCommand: CommandSpec = {
  name: 'merge',
  inWorker: true,
  outputFolders: (opts) => [opts['output'] as string],
  preload: () => import('../../tiles/build.js'),
  define: (program: Command) =>
    verbosityOptions(
      program
        .command('merge')
        .description('Assemble tileset.json from the output folders of tiles --shard runs (tiles found elsewhere are copied into -o).')
        .argument('<dirs...>', 'shard output folders (the same folder for shards that shared one)')
        .requiredOption('-o, --output <dir>', 'the tileset folder')
        .option('--force', 'merge into a folder holding a tileset of other inputs or options: its tiles, find index, plan and tileset.json are removed first (without it: refused, exit 4)'),
      false,
    )
      // (merge-had-no-json: a scheduler parsing stdout read nothing of the merge)
      .option('--json', 'print what was written as JSON on stdout: {"tileset": <path of tileset.json>, "tiles": <count>}')
      .addHelpText('after', `\nExample:\n  $ cityforge merge /shared/t -o /shared/t`),
  async run(args: unknown[], raw: OptionValues, io: CommandIO) {
    const o = raw as VerbosityArgs & { output: string; force?: boolean; json?: boolean };
    const { mergeTiles } = await import('../../tiles/build.js');
    const { tiles } = mergeTiles(args[0] as string[], o.output, io.logger, o.force === true);
    if (o.json) io.stdout(JSON.stringify({ tileset: path.resolve(o.output, 'tileset.json'), tiles }) + '\n');
  },
};
