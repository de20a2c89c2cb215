import { BlockList, isIP } from 'node:net';
import { TransportError } from '@localwire/transport';
import { describeError } from '@localwire/transport/author';

/** An address split into its host (brackets removed) and port. */
export interface HostPort {
  /** A host name or an IP address (an IPv6 address without its brackets). */
  readonly host: string;
  /** The port, 0 to 65535. */
  readonly port: number;
}

const invalid = (address: string, detail: string) =>
  new TransportError('EINVAL', describeError('EINVAL', address, detail), { address });

/**
 * Splits `host:port` or `[v6]:port` (port 0 to 65535; 0 lets the OS choose
 * one when listening).
 * @throws {TransportError} `EINVAL` for anything else, saying which part is wrong.
 */
export function parseAddress(address: string): HostPort {
  if (typeof address !== 'string') {
    throw invalid(String(address), 'a TCP address is a string, host:port or [v6]:port');
  }
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(address);
  const plain = bracketed ? undefined : /^([^:[\]]*):([^:]*)$/.exec(address);
  const match = bracketed ?? plain;
  if (!match) {
    throw invalid(
      address,
      'a TCP address is host:port, or [v6]:port for an IPv6 address (e.g. 127.0.0.1:7000, [::1]:7000)',
    );
  }
  const [, host = '', portText = ''] = match;
  if (bracketed && isIP(host) !== 6) {
    throw invalid(address, `${JSON.stringify(host)} in brackets is not an IPv6 address`);
  }
  if (host === '') throw invalid(address, 'the host is missing (e.g. 127.0.0.1:7000)');
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    throw invalid(
      address,
      `the port must be a number from 0 to 65535, not ${JSON.stringify(portText)}`,
    );
  }
  return { host, port };
}

/** `host:port`, or `[host]:port` for an IPv6 host. */
export function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
// An IPv4 loopback address written as IPv6 (a dual-stack socket's view).
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Whether the IP address `ip` is a loopback address (127.0.0.0/8, ::1). */
export function isLoopback(ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && loopback.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
