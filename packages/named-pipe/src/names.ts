/**
 * Which pipe names this process serves. A pipe name lives as long as any of
 * its instances, including connections a closed listener accepted. To listen
 * again on a name that only our own connections still hold, a new listener
 * joins those instances instead of reporting the name in use.
 */

/** Pipe names are case-insensitive. */
const key = (address: string) => address.toLowerCase();

const listening = new Set<string>();
const connections = new Map<string, number>();

/** Whether a listener in this process is listening at `address`. */
export function isListening(address: string): boolean {
  return listening.has(key(address));
}

/** Records that a listener here is listening at `address` (until {@link stopListening}). */
export function startListening(address: string): void {
  listening.add(key(address));
}

/** Records that the listener at `address` has closed. */
export function stopListening(address: string): void {
  listening.delete(key(address));
}

/** Whether connections this process accepted at `address` are still open. */
export function holdsConnections(address: string): boolean {
  return connections.has(key(address));
}

/** Counts an accepted connection at `address` until `release` is called. */
export function holdConnection(address: string): () => void {
  const k = key(address);
  connections.set(k, (connections.get(k) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (connections.get(k) ?? 1) - 1;
    if (left === 0) connections.delete(k);
    else connections.set(k, left);
  };
}
