/** A certificate and its private key: PEM text, and the files that hold it. */
export interface Identity {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** The test PKI: fresh P-256 keys and certificates, valid for 2 days. */
export interface TestPki {
  /** The directory of the files (mode 0700): `NAME.crt` and `NAME.key` for each name below. */
  readonly dir: string;
  /** The CA both sides trust, PEM (`ca.crt`). */
  readonly ca: string;
  /** The CA's file. */
  readonly caFile: string;
  /** `server`: for localhost, 127.0.0.1 and ::1; signed by `ca`. */
  readonly server: Identity;
  /** `client`: `CN=client`, signed by `ca`. */
  readonly client: Identity;
  /** `wrong-name`: a server certificate for `elsewhere.test` only; signed by `ca`. */
  readonly wrongName: Identity;
  /** `intruder`: a client (`CN=intruder`) signed by a CA nobody here trusts. */
  readonly untrustedClient: Identity;
  /** `rogue`: a server for localhost, 127.0.0.1 and ::1 signed by that untrusted CA. */
  readonly untrustedServer: Identity;
  /** Removes the directory and every file in it. */
  dispose(): void;
}

/**
 * Makes the test PKI with the openssl CLI in `dir` (created), or in a new
 * temporary directory.
 * @throws {Error} naming the directory and what openssl said, or with `code`
 * `ENOENT` when the openssl CLI is not installed.
 */
export function makeTestPki(dir?: string): TestPki;
