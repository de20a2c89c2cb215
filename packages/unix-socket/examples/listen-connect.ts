import { defaultAddress } from '@localwire/transport';
import { unixSocketTransport } from '@localwire/unix-socket';

const listener = await unixSocketTransport.listen(defaultAddress('my-app'));
listener.on('connection', (connection) => connection.pipe(connection));
const connection = await unixSocketTransport.connect(defaultAddress('my-app'), { timeout: 5000 });
connection.end('ping');
