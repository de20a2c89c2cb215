export { MAX_PIPE_NAME_LENGTH, PIPE_PREFIX, validatePipeName } from './pipe-name.js';
export {
  type NamedPipeConnectOptions,
  type NamedPipeListenOptions,
  type NamedPipeTransport,
  namedPipeTransport,
} from './transport.js';
