import { LABEL } from './constants.js';
import { Reader, lp, u32 } from './bytes.js';
import { V1, type SuiteId } from './kdf.js';
import { localUnwrap, localWrap, LOCAL_WRAP_SIZE } from './local-wrap.js';
import { SealError } from '../errors.js';

/**
 * The file keystore's wrapped-key record (FORMAT.md §10):
 * 0x01 ‖ lp(key name) ‖ u32 key version ‖ local wrap under HKDF(root key version, "file wrap",
 * lp(name) ‖ u32 version) with AAD = version ‖ suite ‖ lp(binding context). The record names its key and version, so a
 * reader picks the right root key version (and reloads the key file when it meets an unknown one).
 */
export interface FileWrapHeader {
  keyName: string;
  keyVersion: number;
}

const RECORD_FORMAT = 1;

export function fileWrap(root: Uint8Array, h: FileWrapHeader, context: string, dek: Uint8Array, id: SuiteId = V1, nonce?: Buffer): Buffer {
  const extra = Buffer.concat([lp(h.keyName), u32(h.keyVersion)]);
  return Buffer.concat([Buffer.from([RECORD_FORMAT]), extra, localWrap(root, LABEL.fileWrap, extra, lp(context), dek, id, nonce)]);
}

export function parseFileWrap(record: Buffer): FileWrapHeader & { wrapped: Buffer } {
  const bad = (m: string): SealError => new SealError('EnvelopeMalformed', `file-keystore wrapped key: ${m}`);
  const r = new Reader(record, bad);
  if (r.u8() !== RECORD_FORMAT) throw bad('unknown record format');
  const nameLen = r.u16();
  if (nameLen < 1 || nameLen > 255) throw bad('key name length out of range');
  const keyName = r.bytes(nameLen).toString('utf8');
  const keyVersion = r.u32();
  const wrapped = r.bytes(LOCAL_WRAP_SIZE);
  r.end();
  return { keyName, keyVersion, wrapped: Buffer.from(wrapped) };
}

export function fileUnwrap(root: Uint8Array, record: Buffer, context: string, id: SuiteId = V1): Buffer {
  const { keyName, keyVersion, wrapped } = parseFileWrap(record);
  const extra = Buffer.concat([lp(keyName), u32(keyVersion)]);
  return localUnwrap(root, LABEL.fileWrap, extra, lp(context), wrapped, id);
}
