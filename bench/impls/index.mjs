// Every implementation under test, by the name the scenarios use.
import { bytesImpls } from './bytes.mjs';
import { floor } from './floor.mjs';
import { jaysonImpl } from './jayson.mjs';
import { jsonrpc2 } from './jsonrpc2.mjs';
import { localwire, localwireBaseline, localwireTraced } from './localwire.mjs';
import { vscode } from './vscode.mjs';

export { bytesImpls };

/** @type {Record<string, import('./types.mjs').RpcImpl>} */
export const rpcImpls = {
  floor,
  jsonrpc2,
  vscode,
  jayson: jaysonImpl,
  localwire,
  'localwire-traced': localwireTraced,
  'localwire-baseline': localwireBaseline,
};
