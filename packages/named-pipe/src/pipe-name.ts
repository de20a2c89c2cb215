/** The rules a Windows pipe name must meet before any system call. */
import { TransportError } from '@localwire/transport';

/** The prefix every local Windows pipe name starts with: `\\.\pipe\`. */
export const PIPE_PREFIX = '\\\\.\\pipe\\';

/** Longest pipe name Windows accepts, prefix included (`CreateNamedPipeW`). */
export const MAX_PIPE_NAME_LENGTH = 256;

/**
 * Checks a Windows pipe name before any system call: it must be a local pipe
 * (`\\.\pipe\<name>`), with a non-empty name, at most 256 characters in all,
 * without a NUL, a `/`, or a `.` or `..` segment after the prefix — Windows
 * resolves those as path steps, so `\\.\pipe\..\UNC\host\pipe\x` would leave
 * the local pipe namespace.
 * @throws {TransportError} `EINVAL` naming what is wrong.
 */
export function validatePipeName(address: string): void {
  const shown = JSON.stringify(address);
  const fail = (why: string): never => {
    throw new TransportError('EINVAL', `${shown}: ${why}`, { address });
  };
  if (typeof address !== 'string' || address.length === 0) {
    fail('the pipe name is empty; use \\\\.\\pipe\\<name>');
  }
  if (/^[\\/]{2}[^\\/.][^\\/]*[\\/]pipe[\\/]/i.test(address)) {
    fail(
      'remote pipes are not supported; localwire serves local clients only — use \\\\.\\pipe\\<name>',
    );
  }
  if (address.slice(0, PIPE_PREFIX.length).toLowerCase() !== PIPE_PREFIX) {
    fail('a pipe name must start with \\\\.\\pipe\\');
  }
  const name = address.slice(PIPE_PREFIX.length);
  if (name.length === 0) fail('the pipe name after \\\\.\\pipe\\ is empty');
  if (address.length > MAX_PIPE_NAME_LENGTH) {
    fail(
      `the pipe name is ${address.length} characters; Windows allows at most ${MAX_PIPE_NAME_LENGTH}`,
    );
  }
  if (address.includes('\0')) fail('a pipe name cannot contain a NUL character');
  if (name.includes('/')) {
    fail("a pipe name cannot contain '/' after \\\\.\\pipe\\ (Windows reads it as '\\')");
  }
  if (name.split('\\').some((segment) => segment === '.' || segment === '..')) {
    fail(
      "a pipe name cannot have a '.' or '..' segment: Windows would resolve it out of \\\\.\\pipe\\",
    );
  }
}
