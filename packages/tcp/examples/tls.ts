import { readFileSync } from 'node:fs';
import { tlsTransport } from '@localwire/tcp';

// Mutual TLS: each side has a certificate and key, and trusts the same CA.
const ca = readFileSync('ca.pem');
const server = tlsTransport({
  cert: readFileSync('server.pem'),
  key: readFileSync('server-key.pem'),
  ca,
});
const client = tlsTransport({
  cert: readFileSync('client.pem'),
  key: readFileSync('client-key.pem'),
  ca,
});

const listener = await server.listen('[::1]:0');
listener.on('connection', (connection) => {
  // The client's certificate has been verified; decide what it may do.
  if (connection.peer?.certificateSubject !== 'CN=client') return connection.destroy();
  connection.pipe(connection);
});
// The server's certificate must name ::1 (an IP subject alternative name),
// or pass { servername } with a name it holds.
const connection = await client.connect(listener.address, { timeout: 5000 });
connection.end('ping');
