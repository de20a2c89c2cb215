import { expect } from 'vitest';
import { expectTransportError } from '../assertions.js';
import { expectEcho, type Suite } from '../suite.js';

/** `connect` failures, `timeout` and `signal`. */
export function connectCases(suite: Suite): void {
  suite.test('connecting to nothing fails with ENOENT or ECONNREFUSED', async () => {
    const h = suite.harness();
    const address = h.address();
    await expectTransportError(h.connect(address), ['ENOENT', 'ECONNREFUSED'], address);
  });

  suite.test('connect with an already-aborted signal fails with ABORT_ERR', async () => {
    const h = suite.harness();
    const address = h.address();
    await h.listenEcho(address);
    const reason = new Error('the caller gave up');
    const err = await expectTransportError(
      h.connect(address, { signal: AbortSignal.abort(reason) }),
      ['ABORT_ERR'],
      address,
    );
    expect(err.cause).toBe(reason);
  });

  suite.test('connect rejects a negative timeout with EINVAL', async () => {
    const h = suite.harness();
    const address = h.address();
    await h.listenEcho(address);
    await expectTransportError(h.connect(address, { timeout: -1 }), ['EINVAL'], address);
  });

  suite.test('a timeout and signal that never fire leave the connection alone', async () => {
    const h = suite.harness();
    const address = h.address();
    await h.listenEcho(address);
    const controller = new AbortController();
    const client = await h.connect(address, { timeout: 60_000, signal: controller.signal });
    controller.abort();
    await expectEcho(client, 'aborting after connect changes nothing');
  });

  const { makeBusy } = suite.options;
  if (!makeBusy) return;

  suite.test('connect to a busy server waits, then fails with ETIMEDOUT', async () => {
    const h = suite.harness();
    const address = h.address();
    h.defer(await makeBusy(address));
    await expectTransportError(h.connect(address, { timeout: 200 }), ['ETIMEDOUT'], address);
  });

  suite.test('aborting a connect that waits on a busy server fails with ABORT_ERR', async () => {
    const h = suite.harness();
    const address = h.address();
    h.defer(await makeBusy(address));
    const controller = new AbortController();
    const reason = new Error('the caller gave up');
    // The connect can never succeed here, so when the abort lands does not
    // matter; a short delay only makes it land while the connect waits.
    setTimeout(() => controller.abort(reason), 50);
    const err = await expectTransportError(
      h.connect(address, { signal: controller.signal }),
      ['ABORT_ERR'],
      address,
    );
    expect(err.cause).toBe(reason);
  });
}
