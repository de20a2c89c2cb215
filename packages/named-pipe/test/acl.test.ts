import { describe, expect, it } from 'vitest';
import { allowedAces, sidToString } from '../src/acl.js';

/** A binary SID: revision 1, the authority, the sub-authorities (little-endian). */
function sid(authority: number, ...subs: number[]): Buffer {
  const bytes = Buffer.alloc(8 + 4 * subs.length);
  bytes[0] = 1;
  bytes[1] = subs.length;
  bytes.writeUIntBE(authority, 2, 6);
  for (const [i, sub] of subs.entries()) bytes.writeUInt32LE(sub, 8 + 4 * i);
  return bytes;
}

/** A binary ACE of `type` with `flags`, `mask` and `body` (the SID, after any object fields). */
function ace(type: number, flags: number, mask: number, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt8(flags, 1);
  header.writeUInt16LE(8 + body.length, 2);
  header.writeUInt32LE(mask, 4);
  return Buffer.concat([header, body]);
}

function acl(...aces: Buffer[]): Uint8Array {
  const header = Buffer.alloc(8);
  header.writeUInt8(2, 0);
  header.writeUInt16LE(8 + aces.reduce((n, a) => n + a.length, 0), 2);
  header.writeUInt16LE(aces.length, 4);
  return new Uint8Array(Buffer.concat([header, ...aces]));
}

describe('reading a binary ACL (winnt.h layouts)', () => {
  it('turns SIDs into their string form', () => {
    expect(sidToString(sid(5, 18))).toBe('S-1-5-18');
    expect(sidToString(sid(5, 32, 544))).toBe('S-1-5-32-544');
    expect(sidToString(sid(1, 0))).toBe('S-1-1-0');
    expect(sidToString(sid(5, 21, 1, 2, 4294967295, 1001))).toBe('S-1-5-21-1-2-4294967295-1001');
  });

  it('lists the allowed ACEs that apply to the object, with their masks', () => {
    const objectFields = Buffer.alloc(4 + 16); // Flags = ACE_OBJECT_TYPE_PRESENT, then one GUID
    objectFields.writeUInt32LE(1, 0);
    const aces = allowedAces(
      acl(
        ace(0, 0, 0x1f01ff, sid(5, 18)),
        ace(1, 0, 0x4, sid(1, 0)), // access denied: grants nothing
        ace(0, 0x08, 0x10000000, sid(1, 0)), // inherit-only: not the object's
        ace(5, 0, 0x4, Buffer.concat([objectFields, sid(5, 32, 545)])),
        ace(0, 0, 0x12018b, sid(1, 0)),
      ),
    );
    expect(aces).toEqual([
      { sid: 'S-1-5-18', mask: 0x1f01ff },
      { sid: 'S-1-5-32-545', mask: 0x4 },
      { sid: 'S-1-1-0', mask: 0x12018b },
    ]);
  });
});
