/**
 * A child process that works on a shared key file, for the multi-process file-keystore tests
 * (test/integration/file-keystore-processes.test.ts). Forked from the compiled test with an IPC
 * channel; it answers each request message with one reply and exits when the parent disconnects.
 * Only the public FileKeystore API is used, so the same helper runs against any version of it.
 */
import { lock } from 'proper-lockfile';
import { FileKeystore, type FileKeystoreOptions } from '../../src/keystores/file-keystore.js';
import { KeystoreError } from '../../src/keystores/keystore-error.js';
import { bindingContext } from '../../src/crypto/encryption-context.js';

/** a data key as handed out: enough for the parent to unwrap it and compare */
export interface HandedOutKey {
  keyName: string;
  context: string;
  wrapped: string;
  plaintext: string;
  version: number;
}

export interface MixResult {
  /** latestVersion returned by each rotateKey('shared') */
  rotations: number[];
  created: string[];
  dataKeys: HandedOutKey[];
  /** operations that failed (`op: code`): the run goes on, so a lost key shows as a count, not a crash */
  errors: string[];
}

export type WorkerRequest =
  | {
      /** `ops` interleaved rotations of `shared`, key creations and data keys (weights in `mix`) */
      op: 'mix';
      opts: FileKeystoreOptions;
      id: string;
      ops: number;
      mix: { rotate: number; create: number; generate: number };
    }
  | { op: 'setEnabled'; opts: FileKeystoreOptions; keyName: string; enabled: boolean }
  | { op: 'createKey' | 'rotateKey'; opts: FileKeystoreOptions; keyName: string }
  /** take the key file's lock the way FileKeystore does and keep it (refreshed) until killed */
  | { op: 'holdLock'; path: string; staleMs: number };

export type WorkerReply = { ok: true; mix?: MixResult } | { ok: false; code: string; message: string };

async function mix(req: Extract<WorkerRequest, { op: 'mix' }>): Promise<MixResult> {
  const ks = new FileKeystore(req.opts);
  const out: MixResult = { rotations: [], created: [], dataKeys: [], errors: [] };
  const total = req.mix.rotate + req.mix.create + req.mix.generate;
  for (let i = 0; i < req.ops; i++) {
    const r = Math.random() * total;
    let op = 'generateDataKey';
    try {
      if (r < req.mix.rotate) {
        op = 'rotateKey';
        out.rotations.push((await ks.rotateKey('shared')).latestVersion!);
      } else if (r < req.mix.rotate + req.mix.create) {
        op = 'createKey';
        const name = `${req.id}-${i}`;
        await ks.createKey(name);
        out.created.push(name);
      } else {
        // mostly the shared key; sometimes one this process created
        const keyName = out.created.length > 0 && Math.random() < 0.3 ? out.created[Math.floor(Math.random() * out.created.length)]! : 'shared';
        const context = bindingContext({ bucket: 'b', key: `${req.id}/${i}` });
        const g = await ks.generateDataKey(keyName, context);
        out.dataKeys.push({ keyName, context, wrapped: g.wrapped.toString('base64'), plaintext: g.plaintext.toString('base64'), version: g.keyVersion! });
      }
    } catch (err) {
      out.errors.push(`${op}: ${err instanceof KeystoreError ? err.code : String(err)}`);
    }
  }
  return out;
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  try {
    if (req.op === 'mix') return { ok: true, mix: await mix(req) };
    if (req.op === 'holdLock') {
      await lock(req.path, { realpath: false, stale: req.staleMs });
      return { ok: true };
    }
    const ks = new FileKeystore(req.opts);
    if (req.op === 'setEnabled') await ks.setEnabled(req.keyName, req.enabled);
    else await ks[req.op](req.keyName);
    return { ok: true };
  } catch (err) {
    return { ok: false, code: err instanceof KeystoreError ? err.code : 'untyped', message: (err as Error).message };
  }
}

process.on('message', (req: WorkerRequest) => {
  // the callback keeps a send after the parent left from becoming an unhandled 'error'
  void handle(req).then((reply) => process.send!(reply, () => undefined));
});
process.on('disconnect', () => process.exit(0));
