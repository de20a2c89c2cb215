export { contentLength } from './content-length.js';
export { FramingError, type FramingErrorCode } from './framing-error.js';
export { ndjson } from './ndjson.js';
export {
  type Codec,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_MESSAGE_SIZE,
  type DecodeResult,
  type Decoder,
  type DecoderOptions,
} from './types.js';
