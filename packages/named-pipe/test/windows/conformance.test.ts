import { runConformance } from '@localwire/transport/conformance';
import { expect, it } from 'vitest';
import { namedPipeTransport } from '../../src/index.js';
import { holdBusyPipe, pipeName } from './helpers.js';

it('runs on Windows', () => {
  expect(process.platform).toBe('win32');
});

runConformance({
  name: 'named-pipe',
  createTransport: () => namedPipeTransport,
  createAddress: () => pipeName('conformance'),
  largeTransferBytes: 64 * 1024 * 1024,
  // A pipe whose only instance a client holds: every further connect is busy.
  makeBusy: async (address) => {
    const busy = holdBusyPipe(address);
    return async () => busy.release();
  },
});
