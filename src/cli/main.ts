import { Command, CommanderError, type OptionValues } from 'commander';
import { asOutputError, EXIT, exitCodeOf, CityforgeError } from '../core/errors.js';
import { createLineLogger } from '../core/logger.js';
import { NULL_PROGRESS } from '../core/progress.js';
import { COMMANDS } from './commands/index.js';
import { logLevelOf, type CommandSpec } from './command.js';
import { jsonError, ownMissingFolders, ownOutputFiles, removeOwnTemporaries, runInWorker, stopJob } from './runner.js';
import { oneLine } from '../core/words.js';
import { dropEarlyWorker } from './early.js';

export { EXIT } from '../core/errors.js';

/** The command chosen on the command line, with its parsed arguments and options. */
interface Chosen {
  spec: CommandSpec;
  args: unknown[];
  opts: OptionValues;
}

/** Build the commander program (exported for tests and `--help` docs); `choose` receives the parsed command. */
export function createProgram(choose: (c: Chosen) => void = () => {}): Command {
  const program = new Command();
  program
    .name('cityforge')
    .description('GIS data in, 3D cities out. Batch-friendly: no prompts, plain log lines when not on a TTY, a progress bar on one, meaningful exit codes.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText(
      'after',
      `
Start here:
  $ cityforge build data/sf-mvt --terrain data/sf-terrain-3857.tif -o out/sf.glb
  $ cityforge view out/sf.glb
  $ cityforge <command> --help

Exit codes:
  0   success
  1   internal error (a bug: please report it)
  2   usage error (bad option or argument)
  3   input error (missing/unreadable/broken file, no CRS, empty layer, no valid features)
  4   output error (folder missing or not writable, disk full, a file in the way)
  130 interrupted by Ctrl-C (SIGINT), 143 by SIGTERM, 129 by SIGHUP, 131 by SIGQUIT: no partial output is left behind
      (tiles keeps the tiles it finished, and no tileset.json: the same command resumes)`,
    );
  for (const spec of COMMANDS)
    spec.define(program).action((...a: unknown[]) => {
      choose({ spec, args: a.slice(0, -2), opts: a[a.length - 2] as OptionValues });
    });
  return program;
}

/** Run one command in this thread (the server). */
async function runHere(c: Chosen): Promise<number> {
  const logger = createLineLogger(logLevelOf(c.spec, c.opts), (line) => process.stderr.write(line + '\n'));
  try {
    await c.spec.run(c.args, c.opts, { logger, progress: NULL_PROGRESS, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    return EXIT.ok;
  } catch (caught) {
    const e = asOutputError(c.spec.name, caught);
    process.stderr.write(`error: ${oneLine((e as Error).message ?? String(e))}\n`);
    if (!(e instanceof CityforgeError)) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return exitCodeOf(e);
  }
}

/**
 * An option of one value given more than once (option-given-twice-last-won: `--dsm a.tif --dsm b.tif`
 * read b.tif and said nothing): what to say, or null. Flags and options of several values may repeat;
 * the words after `--` or `--tiles-options` (another command's options) are not this command's.
 */
function givenTwice(program: Command, argv: string[]): string | null {
  const sub = program.commands.find((c) => c.name() === argv[2]);
  if (!sub) return null;
  const seen = new Map<string, string[]>();
  for (let k = 3; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--' || a === '--tiles-options') break;
    if (!a.startsWith('-') || a === '-') continue;
    const [flag, inline] = a.startsWith('--') ? [a.split('=')[0], a.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined] : [a.slice(0, 2), a.length > 2 ? a.slice(2) : undefined];
    const o = sub.options.find((x) => x.long === flag || x.short === flag);
    if (!o || o.variadic || !(o.required || o.optional)) continue;
    const value = inline ?? argv[k + 1] ?? '';
    if (inline === undefined) k++;
    const key = o.long ?? flag;
    seen.set(key, [...(seen.get(key) ?? []), value]);
  }
  for (const [flag, values] of seen) if (values.length > 1) return `${flag} given ${values.length === 2 ? 'twice' : `${values.length} times`} (${values.join(', ')}): give it once`;
  return null;
}

/** Run the CLI with `argv` (as `process.argv`); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let chosen: Chosen | null = null;
  const program = createProgram((c) => (chosen = c));
  try {
    // (unknown-command-helped: `cityforge info --help` printed the program's help and exit 0; an unknown
    // command is an unknown command, --help or not: exit 2 with commander's "did you mean")
    const first = argv[2];
    const known = first === undefined || first.startsWith('-') || first === 'help' || program.commands.some((c) => c.name() === first || c.aliases().includes(first));
    await program.parseAsync(known ? argv : argv.filter((a, k) => k < 3 || (a !== '--help' && a !== '-h')));
  } catch (e) {
    if (e instanceof CommanderError) {
      dropEarlyWorker();
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
      // layer-ate-the-inputs: an option taking several values (--layer, --types, --attributes…) takes every
      // word after it up to the next option, the inputs and an option's value too
      if (e.code === 'commander.missingArgument' || e.code === 'commander.missingMandatoryOptionValue') {
        const sub = program.commands.find((c) => c.name() === argv[2]);
        const eager = sub?.options.find((o) => o.variadic && argv.some((a) => a === o.long || a === o.short));
        if (eager) process.stderr.write(`hint: ${eager.long} takes every word after it up to the next option; give the inputs before it (cityforge ${argv[2]} <inputs...> ${eager.long} <names...> -o <output>)\n`);
      }
      // json-silent-on-a-usage-error: a scheduler parsing stdout reads the error there too
      if (wantsJson(argv)) process.stdout.write(jsonError(EXIT.usage, e.message.replace(/^error:\s*/, '')));
      return EXIT.usage;
    }
    throw e;
  }
  const c = chosen as Chosen | null;
  if (!c?.spec.inWorker) dropEarlyWorker();
  if (!c) return EXIT.ok;
  const twice = givenTwice(program, argv);
  if (twice) {
    dropEarlyWorker();
    const message = `cityforge ${argv[2]}: ${twice}`;
    process.stderr.write(`error: ${message}\n`);
    if (c.opts['json']) process.stdout.write(jsonError(EXIT.usage, message));
    return EXIT.usage;
  }
  if (c.spec.inWorker && c.spec.outputFolders) ownMissingFolders(c.spec.outputFolders(c.opts));
  if (c.spec.inWorker && c.spec.outputFiles) ownOutputFiles(c.spec.outputFiles(c.opts));
  // plain, cloneable options for the worker (commander's values are)
  return c.spec.inWorker ? runInWorker({ command: c.spec.name, args: c.args, opts: { ...c.opts } }, c.opts) : runHere(c);
}

/** Whether the command line asks for `--json` (before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

// `cityforge plan … | head` closes the output pipe early: that is not an error (the run's temporary
// files go). A log pipe closed early (`build … 2>&1 | head -1`) only ends the log: the run goes on,
// writes its output and exits with its own code.
// A log that cannot be written at all (stderr-full-stopped-the-run: `2>/dev/full`, a full disk under a log file,
// ENOSPC) only ends the log too; an output on stdout that cannot be written (`plan > /dev/full`) is an output error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  removeOwnTemporaries();
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  process.stderr.write(`error: cityforge: standard output: cannot write (${e.code ?? e.message})\n`);
  process.exit(EXIT.output);
});
process.stderr.on('error', () => {
  process.stderr.write = (() => true) as typeof process.stderr.write;
});

// Ctrl-C / SIGTERM: the work runs in another thread, so this one answers at once: remove every
// temporary file and folder of the run, and exit (130 / 143)
// (the job worker is stopped first, within a second, so that it cannot write after the removal)
// hangup-left-the-work-folder: SIGHUP (a closed ssh session without nohup) and SIGQUIT (Ctrl-\) killed the
// process as they do by default, leaving its work folder and temporary files: answered alike (129 / 131)
for (const [sig, code] of [['SIGINT', EXIT.interrupted], ['SIGTERM', EXIT.terminated], ['SIGHUP', EXIT.hangup], ['SIGQUIT', EXIT.quit]] as const) {
  process.on(sig, () => {
    removeOwnTemporaries(false);
    void stopJob().finally(() => {
      removeOwnTemporaries();
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}cityforge: interrupted by ${sig}; temporary files removed\n`);
      // (json-silent-when-interrupted: a scheduler parsing stdout read nothing)
      if (wantsJson(process.argv)) process.stdout.write(jsonError(code, `interrupted by ${sig}; temporary files removed`));
      process.exit(code);
    });
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n(an internal error: please report it)\n`);
    process.exitCode = EXIT.internal;
  },
);
