/**
 * Tools for writing a localwire transport: the listener base class, the
 * socket that reads straight to its listener, the connect deadline, error
 * translation and the private-directory rules. Code that only uses a
 * transport needs none of this; it imports from `@localwire/transport`.
 * @packageDocumentation
 */
export { createDeadline, type Deadline } from './deadline.js';
export { DirectReadSocket } from './direct-read-socket.js';
export { describeError, fromSystemError, unsupportedPlatform } from './errors.js';
export { ListenerBase } from './listener-base.js';
export { listenExclusive } from './net-listen.js';
export {
  type DirectoryStats,
  isPerUserDirectory,
  parentDirectoryFault,
  perUserDirectoryName,
  privateDirectoryFault,
} from './private-directory.js';
