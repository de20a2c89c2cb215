import { TransportError } from '@localwire/transport';
import { describeError } from '@localwire/transport/author';

/** `ABORT_ERR` for a listen at `address` whose `signal` aborted. */
export function listenAborted(address: string, signal: AbortSignal): TransportError {
  return new TransportError('ABORT_ERR', describeError('ABORT_ERR', address), {
    address,
    cause: signal.reason,
  });
}

/** `EINVAL` for a bad option at `address`. */
export function invalidOption(address: string, detail: string): TransportError {
  return new TransportError('EINVAL', describeError('EINVAL', address, detail), { address });
}

/** `EACCES` for a listen on `ip`, which is not a loopback address, without `allowRemote`. */
export function remoteNotAllowed(address: string, ip: string): TransportError {
  return new TransportError(
    'EACCES',
    describeError(
      'EACCES',
      address,
      `${ip} is not a loopback address, so other machines could connect; listen on 127.0.0.1 or ::1, or pass allowRemote: true to serve the network (preferably over TLS with client certificates)`,
    ),
    { address },
  );
}

/** Why a TLS handshake failed, for the codes a person can act on. */
function tlsReason(code: string | undefined): string {
  switch (code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return "the server's certificate does not hold the name connected to; connect by a name (or IP) it lists, or pass servername";
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return "the server's certificate is not signed by a CA this client trusts; pass the CA that signed it as ca";
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return "the server's certificate is not valid at this time; renew it";
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
      return 'the server requires a client certificate; pass cert and key signed by a CA the server trusts';
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR':
      return "the server refused this client's certificate: it is not signed by a CA the server trusts";
    case 'ECONNRESET':
      return "the server ended the connection during the handshake: it refused this client's certificate (missing, or not signed by a CA the server trusts)";
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
      return 'the two sides share no TLS version; check minVersion on both';
    default:
      return 'the TLS handshake failed';
  }
}

/**
 * `EACCES` for a TLS handshake with the server at `address` that failed
 * `err` (a certificate that does not verify, a refused client certificate):
 * the message names the address, the reason and the TLS code, and `cause` is
 * Node's error.
 */
export function tlsRefused(err: unknown, address: string): TransportError {
  const { code, message } = err as NodeJS.ErrnoException;
  const detail = `TLS: ${tlsReason(code)} (${code ?? 'no code'}: ${firstLine(message)})`;
  return new TransportError('EACCES', describeError('EACCES', address, detail), {
    address,
    cause: err,
  });
}

/** OpenSSL's messages run over several lines; the first says it. */
function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0] ?? '';
}
