import type { StandardSchemaV1 } from '@standard-schema/spec';
import { RpcError, RpcErrorCode } from './errors.js';

/**
 * Standard Schema v1 validators (zod, valibot, arktype, …) as params and
 * result checks. Only the spec's types are used: no schema library is a
 * dependency, and a schema is told apart from a check function by its
 * `'~standard'` property (arktype's schemas are functions too).
 */

/** One problem a params schema found, as sent in `error.data.issues` of a `-32602` answer. */
export interface RpcIssue {
  /** What is wrong, in the schema library's words. */
  message: string;
  /** Where: the keys from the params down to the bad value (`[]` for the params themselves). */
  path: Array<string | number>;
}

/** True for a Standard Schema v1 validator. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    '~standard' in value
  );
}

/** A path segment as a plain key: a segment object's `key`, a symbol's description. */
function toKey(segment: PropertyKey | StandardSchemaV1.PathSegment): string | number {
  const key = typeof segment === 'object' ? segment.key : segment;
  return typeof key === 'symbol' ? (key.description ?? String(key)) : key;
}

/** A schema's issues in the wire form: `{ message, path }` with the path as keys. */
export function toIssues(issues: readonly StandardSchemaV1.Issue[]): RpcIssue[] {
  return issues.map((issue) => ({
    message: issue.message,
    path: issue.path === undefined ? [] : issue.path.map(toKey),
  }));
}

/** `name`, `[0]`, `user.tags[1]`: a path as it reads in JavaScript. */
function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`))
    .join('');
}

/** The issues in one line: each message, with where when it is not the value itself. */
function summarize(issues: readonly RpcIssue[]): string {
  return issues
    .map(({ message, path }) =>
      path.length === 0 ? message : `${message} (at ${formatPath(path)})`,
    )
    .join('; ');
}

/**
 * The `-32602 Invalid params` error for what a params schema refused: the
 * message sums the issues up, `data.issues` lists them. These are meant for
 * the caller, so they are sent whatever `exposeErrorMessages` says.
 */
export function invalidParams(issues: readonly StandardSchemaV1.Issue[]): RpcError {
  const listed = toIssues(issues);
  return new RpcError(RpcErrorCode.InvalidParams, `Invalid params: ${summarize(listed)}`, {
    issues: listed,
  });
}

/**
 * A handler returned a value its method's `result` schema refused. The
 * caller gets `-32603 Internal error` (the message only with
 * `exposeErrorMessages`); `onError` gets this error, with the issues.
 *
 * @example
 * {@includeCode ../examples/result-schema-error.ts}
 */
export class ResultSchemaError extends Error {
  /** Always `'ResultSchemaError'`. */
  override name = 'ResultSchemaError';
  /** The method whose result was refused. */
  readonly method: string;
  /** What the schema found wrong. */
  readonly issues: RpcIssue[];

  constructor(method: string, issues: readonly StandardSchemaV1.Issue[]) {
    const listed = toIssues(issues);
    super(`the result of ${JSON.stringify(method)} fails its result schema: ${summarize(listed)}`);
    this.method = method;
    this.issues = listed;
  }
}
