import { tcpTransport } from '@localwire/tcp';

// Port 0: the OS chooses a free port; the listener's address says which.
const listener = await tcpTransport.listen('127.0.0.1:0');
listener.on('connection', (connection) => connection.pipe(connection));
const connection = await tcpTransport.connect(listener.address, { timeout: 5000 });
console.log(connection.peer?.address); // 127.0.0.1:<the listener's port>
connection.end('ping');
