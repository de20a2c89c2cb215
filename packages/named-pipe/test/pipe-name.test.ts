import { isTransportError } from '@localwire/transport';
import { describe, expect, it } from 'vitest';
import { MAX_PIPE_NAME_LENGTH, PIPE_PREFIX, validatePipeName } from '../src/index.js';

// Pure checks, before any system call: they run on every OS.
describe('validatePipeName', () => {
  it('accepts local pipe names up to 256 characters, any prefix case, with inner segments', () => {
    validatePipeName(`${PIPE_PREFIX}app`);
    validatePipeName('\\\\.\\PIPE\\app');
    validatePipeName(`${PIPE_PREFIX}my-app\\v1.2\\..x\\x..`);
    validatePipeName(`${PIPE_PREFIX}${'a'.repeat(MAX_PIPE_NAME_LENGTH - PIPE_PREFIX.length)}`);
  });

  it.each([
    ['', 'empty'],
    ['app', 'must start with'],
    ['\\\\server\\pipe\\app', 'remote pipes'],
    ['//server/pipe/app', 'remote pipes'],
    [PIPE_PREFIX, 'is empty'],
    [`${PIPE_PREFIX}${'a'.repeat(MAX_PIPE_NAME_LENGTH)}`, 'at most 256'],
    [`${PIPE_PREFIX}a\0b`, 'NUL'],
    [`${PIPE_PREFIX}..\\UNC\\host\\pipe\\x`, "'..' segment"],
    [`${PIPE_PREFIX}app\\..\\other`, "'..' segment"],
    [`${PIPE_PREFIX}.\\app`, "'.' or '..' segment"],
    [`${PIPE_PREFIX}app\\.`, "'.' or '..' segment"],
    [`${PIPE_PREFIX}..`, "'..' segment"],
    [`${PIPE_PREFIX}app/x`, "contain '/'"],
    [`${PIPE_PREFIX}../UNC/host/pipe/x`, "contain '/'"],
  ])('refuses %j with EINVAL (%s)', (name, why) => {
    let err: unknown;
    try {
      validatePipeName(name);
    } catch (e) {
      err = e;
    }
    expect(isTransportError(err, 'EINVAL'), `expected EINVAL, got ${err}`).toBe(true);
    expect((err as { address?: string }).address).toBe(name);
    expect((err as Error).message).toContain(why);
  });
});
