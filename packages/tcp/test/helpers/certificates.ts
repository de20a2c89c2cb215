import { makeTestPki, type TestPki } from '@localwire/test-pki';

let made: TestPki | undefined;

/**
 * The test PKI (tools/test-pki), made on first use. Its files are removed at
 * once: the private keys live only in this process's memory.
 */
export function testPki(): TestPki {
  if (!made) {
    made = makeTestPki();
    made.dispose();
  }
  return made;
}
