/**
 * Reading a binary ACL: which SIDs an access-control list allows what. Pure
 * byte parsing (the layouts of `ACL`, `ACE_HEADER`, `ACCESS_ALLOWED_ACE` and
 * `SID` in winnt.h), so it runs and is tested on every OS.
 */

/** One access-allowed entry that applies to the object itself. */
export interface AllowedAce {
  /** The SID it grants, as a string (`S-1-5-…`). */
  readonly sid: string;
  /** The access mask it grants. */
  readonly mask: number;
}

const ACL_HEADER_SIZE = 8;
const ACCESS_ALLOWED_ACE_TYPE = 0x0;
const ACCESS_ALLOWED_OBJECT_ACE_TYPE = 0x5;
const ACCESS_ALLOWED_CALLBACK_ACE_TYPE = 0x9;
const ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE = 0xb;
/** The ACE is only inherited by children; it grants nothing on the object. */
const INHERIT_ONLY_ACE = 0x08;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

/** The string form of the binary SID at `offset` of `bytes`. */
export function sidToString(bytes: Uint8Array, offset = 0): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const revision = view.getUint8(0);
  const count = view.getUint8(1);
  // IdentifierAuthority: 6 bytes, big-endian.
  const authority = view.getUint16(2) * 2 ** 32 + view.getUint32(4);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(view.getUint32(8 + 4 * i, true)));
  return parts.join('-');
}

/** Every access-allowed ACE of the binary ACL `acl` that applies to the object itself. */
export function allowedAces(acl: Uint8Array): AllowedAce[] {
  const view = new DataView(acl.buffer, acl.byteOffset, acl.byteLength);
  const count = view.getUint16(4, true);
  const aces: AllowedAce[] = [];
  let offset = ACL_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const type = view.getUint8(offset);
    const flags = view.getUint8(offset + 1);
    const size = view.getUint16(offset + 2, true);
    const mask = view.getUint32(offset + 4, true);
    let sidOffset: number | undefined;
    if (type === ACCESS_ALLOWED_ACE_TYPE || type === ACCESS_ALLOWED_CALLBACK_ACE_TYPE) {
      sidOffset = offset + 8;
    } else if (
      type === ACCESS_ALLOWED_OBJECT_ACE_TYPE ||
      type === ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE
    ) {
      // Mask, then Flags, then a GUID for each flag set, then the SID.
      const objectFlags = view.getUint32(offset + 8, true);
      sidOffset = offset + 12;
      if (objectFlags & ACE_OBJECT_TYPE_PRESENT) sidOffset += 16;
      if (objectFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) sidOffset += 16;
    }
    if (sidOffset !== undefined && (flags & INHERIT_ONLY_ACE) === 0) {
      aces.push({ sid: sidToString(acl, sidOffset), mask: mask >>> 0 });
    }
    offset += size;
  }
  return aces;
}
