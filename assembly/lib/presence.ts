// What a read from the host reports, in three states that are never collapsed: authorization must
// tell "absent" from "the host failed". Pure: the host wall (abi/host.ts) fills these in, and the
// pipeline and its tests only see the values.

export const enum Presence { Present = 0, Absent = 1, Failed = 2 }

// A text value (a property such as the peer certificate's URI SAN).
export class Lookup {
  constructor(public readonly presence: Presence, public readonly value: string, public readonly status: u32) {}
}

// A binary value (a serialised protobuf message, e.g. the `metadata` property).
export class BytesLookup {
  constructor(public readonly presence: Presence, public readonly bytes: Uint8Array, public readonly status: u32) {}
}
