import { isTransportError } from '@localwire/transport';
import { nextConnection } from '@localwire/transport/conformance';
import { afterEach, describe, expect, it } from 'vitest';
import { namedPipeTransport } from '../../src/index.js';
import { CLIENT_ACCESS, currentUserSid } from '../../src/security.js';
import { aceRights, aceSids, echo, pipeName, readPipeSecurity, roundTrip } from './helpers.js';

const FILE_CREATE_PIPE_INSTANCE = 0x4;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(...args: Parameters<typeof namedPipeTransport.listen>) {
  const listener = echo(await namedPipeTransport.listen(...args));
  cleanups.push(() => listener.close());
  return listener;
}

describe('the pipe security descriptor', () => {
  it('by default admits only the current user and SYSTEM, with the current user as owner', async () => {
    const name = pipeName('dacl');
    await listen(name);
    const me = currentUserSid();
    expect(me).toMatch(/^S-1-5-/);
    const sddl = readPipeSecurity(name);
    expect(sddl.startsWith(`O:${me}`)).toBe(true);
    expect(sddl).toContain('D:P');
    expect(aceSids(sddl).sort()).toEqual([me, 'SY'].sort());
  });

  it("access: 'everyone' adds Everyone with read and write, but not FILE_CREATE_PIPE_INSTANCE", async () => {
    const name = pipeName('everyone');
    await listen(name, { access: 'everyone' });
    const sddl = readPipeSecurity(name);
    expect(aceSids(sddl).sort()).toEqual([currentUserSid(), 'SY', 'WD'].sort());
    const everyone = Number(aceRights(sddl).get('WD'));
    expect(everyone).toBe(CLIENT_ACCESS);
    expect(everyone & FILE_CREATE_PIPE_INSTANCE).toBe(0);
    const client = await namedPipeTransport.connect(name);
    cleanups.push(() => client.destroy());
    expect(await roundTrip(client, 'wide')).toBe('wide');
  });

  it('a caller SDDL replaces the default, and gets the current user as owner when it names none', async () => {
    const name = pipeName('sddl');
    await listen(name, { securityDescriptor: 'D:P(A;;GA;;;SY)(A;;0x12018b;;;BU)' });
    const sddl = readPipeSecurity(name);
    expect(sddl.startsWith(`O:${currentUserSid()}`)).toBe(true);
    expect(aceSids(sddl).sort()).toEqual(['BU', 'SY']);
  });

  it('refuses SDDL Windows cannot parse with EINVAL', async () => {
    const name = pipeName('bad-sddl');
    const err = await namedPipeTransport
      .listen(name, { securityDescriptor: 'D:(this is not SDDL' })
      .catch((e: unknown) => e);
    expect(isTransportError(err, 'EINVAL')).toBe(true);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain('SDDL');
  });

  it('refuses access and securityDescriptor together with EINVAL', async () => {
    const err = await namedPipeTransport
      .listen(pipeName(), { access: 'everyone', securityDescriptor: 'D:P(A;;GA;;;SY)' })
      .catch((e: unknown) => e);
    expect(isTransportError(err, 'EINVAL')).toBe(true);
  });
});

describe('the client owner check', () => {
  it('refuses with EACCES a pipe owned by another account, unless verifyOwner is false', async () => {
    // A "squatter": the pipe's owner is BUILTIN\\Users, not the current user.
    // (Wine lets any process set that owner; on Windows it takes a privileged one.)
    const name = pipeName('squat');
    const listener = await listen(name, { securityDescriptor: 'O:BUD:P(A;;0x12018b;;;WD)' });
    const err = await namedPipeTransport.connect(name).catch((e: unknown) => e);
    expect(isTransportError(err, 'EACCES')).toBe(true);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain('S-1-5-32-545');
    expect((err as Error).message).toContain('verifyOwner: false');

    const accepted = nextConnection(listener);
    const client = await namedPipeTransport.connect(name, { verifyOwner: false });
    cleanups.push(() => client.destroy());
    expect(client.peer?.sid).toBe('S-1-5-32-545');
    await accepted;
    expect(await roundTrip(client, 'trusted anyway')).toBe('trusted anyway');
  });

  it.each([
    ['SYSTEM', 'SY', 'S-1-5-18'],
    ['Administrators', 'BA', 'S-1-5-32-544'],
  ])(
    'trusts a pipe owned by %s: only an account that could act as anyone can own one so',
    async (_who, alias, sid) => {
      const name = pipeName(`owner-${alias}`);
      const listener = await listen(name, {
        securityDescriptor: `O:${alias}D:P(A;;0x12018b;;;WD)`,
      });
      const accepted = nextConnection(listener);
      const client = await namedPipeTransport.connect(name);
      cleanups.push(() => client.destroy());
      expect(client.peer?.sid).toBe(sid);
      await accepted;
      expect(await roundTrip(client, 'elevated')).toBe('elevated');
    },
  );
  it('gives both ends the current user as peer sid', async () => {
    const name = pipeName('sid');
    const listener = await listen(name);
    const accepted = nextConnection(listener);
    const client = await namedPipeTransport.connect(name);
    cleanups.push(() => client.destroy());
    const server = await accepted;
    expect(client.peer?.sid).toBe(currentUserSid());
    expect(server.peer?.sid).toBe(currentUserSid());
  });
});

describe('a caller security descriptor that lets others serve the pipe', () => {
  // A NULL DACL ('D:NO_ACCESS_CONTROL') is refused too, but Wine cannot show
  // it: its SDDL parser turns NO_ACCESS_CONTROL into a present, non-NULL DACL.
  it.each([
    ['GENERIC_ALL for Everyone', 'D:P(A;;GA;;;WD)', 'S-1-1-0'],
    ['GENERIC_WRITE for Users', 'D:P(A;;GW;;;BU)', 'S-1-5-32-545'],
    ['FILE_CREATE_PIPE_INSTANCE for Everyone', 'D:P(A;;0x4;;;WD)', 'S-1-1-0'],
    ['WRITE_DAC for Users', 'D:P(A;;WD;;;BU)', 'S-1-5-32-545'],
  ])('%s: EINVAL, unless allowInsecureDescriptor', async (_what, securityDescriptor, says) => {
    const name = pipeName('insecure');
    const err = await namedPipeTransport
      .listen(name, { securityDescriptor })
      .catch((e: unknown) => e);
    expect(isTransportError(err, 'EINVAL'), String(err)).toBe(true);
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).toContain(says);
    expect((err as Error).message).toContain('allowInsecureDescriptor: true');
    // Nothing was created: the name is free.
    const absent = await namedPipeTransport.connect(name).catch((e: unknown) => e);
    expect(isTransportError(absent, 'ENOENT')).toBe(true);

    await listen(name, { securityDescriptor, allowInsecureDescriptor: true });
    const client = await namedPipeTransport.connect(name);
    cleanups.push(() => client.destroy());
    expect(await roundTrip(client, 'said so')).toBe('said so');
  });

  it('is accepted when only the owner, SYSTEM and Administrators may create instances', async () => {
    const name = pipeName('safe-sddl');
    await listen(name, {
      securityDescriptor: 'D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x12018b;;;BU)(A;OIIO;GA;;;WD)',
    });
    expect(aceSids(readPipeSecurity(name))).toContain('BU');
  });
});
