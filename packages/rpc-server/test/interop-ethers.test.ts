import { IpcSocketProvider } from 'ethers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectRpc, createSubscriptions } from '../src/index.js';
import { startServer, until } from './helpers/rpc.js';
import { transport } from './helpers/transport.js';

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

  it('serves ethers and a localwire client.subscribe the same newHeads pushes', async () => {
    const names = {
      subscribeMethod: 'eth_subscribe',
      unsubscribeMethod: 'eth_unsubscribe',
      notificationMethod: 'eth_subscription',
    } as const;
    const heads = createSubscriptions({ ...names, topics: ['newHeads'] });
    const { address } = await startServer({
      methods: { eth_chainId: () => '0x539', eth_blockNumber: () => '0x10', ...heads.methods },
    });
    const provider = new IpcSocketProvider(address);
    onTestFinished(() => provider.destroy());
    const client = await connectRpc(transport, address);
    onTestFinished(() => client.close());

    const fromEthers: number[] = [];
    await provider.on('block', (n: number) => {
      fromEthers.push(n);
    });
    const fromClient = await client.subscribe('newHeads', [], names);
    await until(() => heads.subscribers('newHeads').length === 2, 'both to subscribe');
    for (const n of [0x11, 0x12, 0x13]) {
      heads.publish('newHeads', {
        number: `0x${n.toString(16)}`,
        hash: `0x${n.toString(16).padStart(64, '0')}`,
      });
    }
    const numbers: string[] = [];
    for await (const head of fromClient) {
      numbers.push((head as { number: string }).number);
      if (numbers.length === 3) break;
    }
    expect(numbers).toEqual(['0x11', '0x12', '0x13']);
    await until(() => fromEthers.length === 3, 'three block events');
    expect(fromEthers).toEqual([17, 18, 19]);
    // The client's break unsubscribed it; ethers still holds its own.
    expect(heads.subscribers('newHeads')).toHaveLength(1);
    await provider.off('block');
    await until(() => heads.subscribers('newHeads').length === 0, 'ethers to unsubscribe');
  });
});
