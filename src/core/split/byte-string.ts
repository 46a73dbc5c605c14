/**
 * A path as the bytes the file system holds, one character per byte
 * (latin1). Names of a split copy are kept this way rather than as Buffers:
 * a one-byte string is compact and lives in V8's young generation, where a
 * Buffer per name is a separate allocation outside it (300,000 names cost
 * tens of MB of RSS before a collection). Never decoded as UTF-8.
 */
export type ByteString = string & {readonly __bytes: unique symbol}
