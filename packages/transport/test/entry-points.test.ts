import { describe, expect, it } from 'vitest';
import * as author from '../src/author.js';
import * as root from '../src/index.js';

// The root entry is the user API; the tools for writing a transport are in
// `@localwire/transport/author` and nowhere else.
describe('entry points', () => {
  it('the root exports the user API only', () => {
    expect(Object.keys(root).sort()).toEqual([
      'TransportError',
      'defaultAddress',
      'displayAddress',
      'isTransportError',
    ]);
  });

  it('author exports the transport-author tools', () => {
    expect(Object.keys(author).sort()).toEqual([
      'DirectReadSocket',
      'ListenerBase',
      'createDeadline',
      'describeError',
      'fromSystemError',
      'isPerUserDirectory',
      'listenExclusive',
      'parentDirectoryFault',
      'perUserDirectoryName',
      'privateDirectoryFault',
      'unsupportedPlatform',
    ]);
  });
});
