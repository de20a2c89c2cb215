import { IpcSocketProvider } from 'ethers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createSubscriptions } from '../src/index.js';
import { startServer, until } from './helpers/rpc.js';

describe('interop: ethers v6 IpcSocketProvider', () => {
  it('gets eth_chainId and eth_blockNumber answers and block events from newHeads pushes', async () => {
    const heads = createSubscriptions({
      subscribeMethod: 'eth_subscribe',
      unsubscribeMethod: 'eth_unsubscribe',
      notificationMethod: 'eth_subscription',
      topics: ['newHeads'],
    });
    let blockNumber = 0x10;
    const calls: string[] = [];
    const { address } = await startServer({
      methods: {
        eth_chainId: () => {
          calls.push('eth_chainId');
          return '0x539';
        },
        eth_blockNumber: () => {
          calls.push('eth_blockNumber');
          return `0x${blockNumber.toString(16)}`;
        },
        ...heads.methods,
      },
    });

    const provider = new IpcSocketProvider(address);
    onTestFinished(() => provider.destroy());
    expect((await provider.getNetwork()).chainId).toBe(1337n);
    expect(await provider.getBlockNumber()).toBe(16);

    const blocks: number[] = [];
    await provider.on('block', (n: number) => {
      blocks.push(n);
    });
    await until(() => heads.subscribers('newHeads').length === 1, 'ethers to subscribe');
    for (let i = 0; i < 3; i++) {
      blockNumber++;
      heads.publish('newHeads', {
        number: `0x${blockNumber.toString(16)}`,
        hash: `0x${blockNumber.toString(16).padStart(64, '0')}`,
      });
    }
    await until(() => blocks.length === 3, 'three block events');
    expect(blocks).toEqual([17, 18, 19]);
    expect(calls).toContain('eth_chainId');
    expect(calls).toContain('eth_blockNumber');

    await provider.off('block');
    await until(() => heads.subscribers('newHeads').length === 0, 'ethers to unsubscribe');
  });
});
