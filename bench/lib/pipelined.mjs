// Pipelined tiny calls, shared by the Unix-socket RPC rows (scenarios/rpc.mjs,
// run in each implementation's client child) and the named-pipe RPC row
// (wine/pipe-client.mjs, run by node.exe under Wine): the same loop, so the
// two rows measure the same thing over different transports.

/**
 * Throws unless `result` is what `add([1, 2])` answers.
 * @param {unknown} result
 */
export function expectThree(result) {
  if (result !== 3) throw new Error(`add([1, 2]) answered ${JSON.stringify(result)}`);
}

/**
 * `count` calls of `add([1, 2])` with `window` in flight (a new call as each
 * answer arrives); resolves with calls/s.
 * @param {import('../impls/types.mjs').RpcClient} rpc
 * @param {{ count: number, window: number }} params
 * @returns {Promise<number>}
 */
export function pipelinedCalls(rpc, { count, window }) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const start = performance.now();
    const onAnswer = (/** @type {unknown} */ result) => {
      if (result !== 3) {
        reject(new Error(`add([1, 2]) answered ${JSON.stringify(result)}`));
        return;
      }
      done++;
      if (done === count) resolve(count / ((performance.now() - start) / 1000));
      else if (sent < count) send();
    };
    const send = () => {
      sent++;
      rpc.call('add', [1, 2]).then(onAnswer, reject);
    };
    while (sent < Math.min(window, count)) send();
  });
}
