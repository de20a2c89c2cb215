import { once } from 'node:events';
import { expect } from 'vitest';
import type { Connection, Listener } from '../types.js';
import type { Harness } from './harness.js';
import type { ResolvedOptions } from './options.js';
import { readExactly, write } from './streams.js';

/** What each group of cases registers its tests with. */
export interface Suite {
  readonly options: ResolvedOptions;
  /** The current test's harness. */
  harness(): Harness;
  /** Registers a test with the suite's timeout. */
  test(name: string, body: () => Promise<void>): void;
}

/** The next connection `listener` accepts. */
export async function nextConnection(listener: Listener): Promise<Connection> {
  const [connection] = (await once(listener, 'connection')) as [Connection];
  return connection;
}

/** Sends `text` over `connection` to an echo listener and expects it back. */
export async function expectEcho(connection: Connection, text: string): Promise<void> {
  const echoed = readExactly(connection, Buffer.byteLength(text));
  await write(connection, text);
  expect((await echoed).toString()).toBe(text);
}
