import { describe, expect, it } from 'vitest';
import { warnJobsPastCores } from '../../src/pipeline/common.js';
import type { Logger } from '../../src/core/logger.js';

describe('--jobs and the cores', () => {
  it('jobs-past-the-cores-unsaid: more workers than cores is said (8 on 2 took four times the memory, no faster); as many or fewer is not', () => {
    const said: string[] = [];
    const logger = { info() {}, debug() {}, error() {}, warn: (m: string) => said.push(m) } as unknown as Logger;
    warnJobsPastCores(2, logger, 2);
    warnJobsPastCores(1, logger, 4);
    expect(said).toEqual([]);
    warnJobsPastCores(8, logger, 2);
    expect(said).toEqual(['--jobs 8 on 2 cores: the workers share them (each one\'s memory too); --jobs 2 is about as fast']);
  });
});
