import type { CommandSpec } from '../command.js';
import { buildCommand } from './build.js';
import { inferCommand } from './infer.js';
import { mergeCommand } from './merge.js';
import { rasterizeCommand } from './rasterize.js';
import { planCommand } from './plan.js';
import { terrainCommand } from './terrain.js';
import { tilesCommand } from './tiles.js';
import { viewCommand } from './view.js';

/** Every command, in the order a user meets them (and `--help` lists them). */
export const COMMANDS: readonly CommandSpec[] = [buildCommand, terrainCommand, tilesCommand, planCommand, mergeCommand, inferCommand, rasterizeCommand, viewCommand];
