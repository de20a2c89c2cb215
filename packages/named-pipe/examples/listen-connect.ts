import { namedPipeTransport } from '@localwire/named-pipe';

// `\\.\pipe\my-app`, written as a TS string.
const name = '\\\\.\\pipe\\my-app';
const listener = await namedPipeTransport.listen(name);
listener.on('connection', (connection) => connection.pipe(connection));
const connection = await namedPipeTransport.connect(name, { timeout: 5000 });
connection.end('ping');
