import { runConformance } from '@localwire/transport/conformance';
import { tcpTransport, tlsTransport } from '../src/index.js';
import { makeBusy } from './helpers/busy-server.js';
import { testPki } from './helpers/certificates.js';
import { freeAddress } from './helpers/ports.js';

// Loopback only, IPv4 and IPv6: each address is a port the OS chose for a
// listen on port 0 a moment before.
for (const host of ['127.0.0.1', '::1'] as const) {
  runConformance({
    name: `tcp on ${host}`,
    createTransport: () => tcpTransport,
    createAddress: () => freeAddress(host),
    makeBusy,
  });
}

const pki = testPki();
// Mutual TLS, as by default: one transport holds both sides' certificate
// here (the server's, which also names 127.0.0.1 and ::1).
const mutualTls = tlsTransport({ ...pki.server, ca: pki.ca });

for (const host of ['127.0.0.1', '::1'] as const) {
  runConformance({
    name: `tls on ${host}`,
    createTransport: () => mutualTls,
    createAddress: () => freeAddress(host),
    makeBusy,
  });
}
