export {
  type NamedPipeConnectOptions,
  type NamedPipeListenOptions,
  NamedPipeTransport,
  namedPipeTransport,
} from './transport.js';
