import type { Duplex } from 'node:stream';
import type { Connection, ConnectOptions, Listener, ListenOptions, Transport } from '../types.js';
import type { ResolvedOptions } from './options.js';

/**
 * One test's view of the transport under test. It remembers every listener
 * and connection the test makes, so {@link Harness.dispose} can end them all
 * whether the test passed or not.
 */
export class Harness {
  readonly transport: Transport;
  readonly options: ResolvedOptions;
  /** Errors the listeners emitted; a listener should emit none in these tests. */
  readonly listenerErrors: Error[] = [];
  readonly #listeners = new Set<Listener>();
  readonly #streams = new Set<Duplex>();
  readonly #cleanups: Array<() => Promise<void>> = [];

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.transport = options.createTransport();
  }

  /** A fresh unused address. */
  address(): string {
    return this.options.createAddress();
  }

  /** `transport.listen`, tracked. Accepted connections are tracked too. */
  async listen(address: string, options?: ListenOptions): Promise<Listener> {
    const listener = await this.transport.listen(address, options);
    this.#listeners.add(listener);
    listener.on('error', (err) => this.listenerErrors.push(err));
    listener.on('connection', (connection) => this.track(connection));
    return listener;
  }

  /** A listener that echoes every byte back on each connection. */
  async listenEcho(address: string = this.address()): Promise<Listener> {
    const listener = await this.listen(address);
    listener.on('connection', (connection) => connection.pipe(connection));
    return listener;
  }

  /** `transport.connect`, tracked. */
  async connect(address: string, options?: ConnectOptions): Promise<Connection> {
    return this.track(await this.transport.connect(address, options));
  }

  /** Remembers `stream` so it is destroyed after the test. */
  track<T extends Duplex>(stream: T): T {
    // Peers vanish during teardown; a reset then must not crash the run. Each
    // test listens for the errors it cares about itself.
    stream.on('error', () => {});
    this.#streams.add(stream);
    return stream;
  }

  /** Runs `cleanup` after the test. */
  defer(cleanup: () => Promise<void>): void {
    this.#cleanups.push(cleanup);
  }

  /** Ends everything the test made: connections, listeners, deferred cleanups. */
  async dispose(): Promise<void> {
    for (const stream of this.#streams) stream.destroy();
    await Promise.all([...this.#listeners].map((listener) => listener.close()));
    for (const cleanup of this.#cleanups.reverse()) await cleanup();
  }
}
