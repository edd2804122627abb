/**
 * Example: wrapping an on-prem MinIO with role separation. Three parties, one bucket:
 *
 * - `uploader` (e.g. the intake service) may write invoices — SSE-KMS under `file:invoices`, its
 *   `encrypt` grant — but not read them back (GET → AccessDenied: no `s3:GetObject`, no `decrypt`);
 * - `auditor` may read them (its `decrypt` grant) but not write;
 * - MinIO's administrator, with MinIO's root credentials and a plain S3 client, sees only ciphertext
 *   and the envelope (which names the key, `file:invoices`, and holds the data key wrapped by it); the
 *   key itself is in the keystore on the s3seal host, which MinIO never sees.
 *
 * Who may do what is the policy document below (docs/POLICY.md); each client of the SDK door acts for
 * one principal (`createSealedS3Client(container, { s3seal: { principal } })`). Every key use and
 * every denied action is an audit line (here a file in <workDir>).
 *
 * Run it against a MinIO (`npm run services -- up minio`; the bucket must exist):
 *
 *   npm run build
 *   node dist/examples/role-separation.js <endpoint> <accessKey> <secretKey> <bucket> <workDir>
 *
 * <workDir> receives keys.json (the file keystore, 0600), policy.yaml and audit.log. Here s3seal
 * reaches MinIO with the same root credentials the "administrator" uses, because a test MinIO has
 * only those; in a deployment s3seal gets a MinIO user of its own. The test suite runs `main` against
 * a real MinIO (test/integration/examples.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { closeContainer, createContainer, createSealedS3Client, FileKeystore } from '../src/index.js';

const INVOICES_KEY = 'file:invoices';

/** The policy document: what each principal may do in `bucket` and which key it may use how. */
export function policyDocument(bucket: string): string {
  return `version: 1
principals:
  uploader: {}   # the intake service: writes invoices, cannot read them
  auditor: {}    # reads invoices, cannot write
statements:
  - { sid: UploaderWrites, effect: Allow, principals: [uploader], actions: ["s3:PutObject"], resources: ["${bucket}/invoices/*"] }
  - { sid: AuditorReads, effect: Allow, principals: [auditor], actions: ["s3:GetObject", "s3:ListBucket"], resources: ["${bucket}", "${bucket}/invoices/*"] }
keys:
  - { principals: [uploader], key: "${INVOICES_KEY}", permissions: [encrypt] }
  - { principals: [auditor], key: "${INVOICES_KEY}", permissions: [decrypt] }
floors:
  # nothing lands in invoices/ under another algorithm or key, and nothing planted there under another key is served
  - { bucket: "${bucket}", prefix: "invoices/", requireAlgorithm: "aws:kms", requireKey: "${INVOICES_KEY}" }
`;
}

async function s3ErrorName(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as Error).name;
  }
}

/** What `main` saw: the printed lines, and the facts behind them. */
export interface RoleSeparationResult {
  lines: string[];
  /** the uploader's PUT echo: `aws:kms` and the key */
  uploaderWrote: { algorithm: string | undefined; keyId: string | undefined };
  /** the error name of the uploader's GET (undefined had it succeeded) */
  uploaderGetError: string | undefined;
  /** the error name of the auditor's PUT (undefined had it succeeded) */
  auditorPutError: string | undefined;
  auditorReadMatches: boolean;
  /** the MinIO administrator's plain GET: whether any plaintext is in the stored bytes */
  adminSeesPlaintext: boolean;
  /** the key id the stored envelope names, read by the administrator without any key (undefined: not found) */
  adminSeesKeyId: string | undefined;
  /** audit lines that record the uploader's denied GET */
  auditedDenials: number;
}

export async function main(endpoint: string, accessKeyId: string, secretAccessKey: string, bucket: string, workDir: string, print: (line: string) => void = console.log): Promise<RoleSeparationResult> {
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    print(line);
  };
  mkdirSync(workDir, { recursive: true });
  const keyFile = join(workDir, 'keys.json');
  const policyFile = join(workDir, 'policy.yaml');
  const auditFile = join(workDir, 'audit.log');

  // the keystore side: one named key, held on the s3seal host (a file keystore here; OpenBao or a KMS in production)
  const keystore = new FileKeystore({ path: keyFile, create: true });
  if (!(await keystore.describeKey('invoices').catch(() => undefined))) await keystore.createKey('invoices');
  writeFileSync(policyFile, policyDocument(bucket));
  // the key stays on this host, readable by the s3seal process's user only
  say(`keystore: ${INVOICES_KEY} in ${keyFile} (mode ${(statSync(keyFile).mode & 0o777).toString(8)})`);

  // one s3seal instance in front of MinIO, one SDK client per principal
  const container = createContainer({
    backend: { endpoint, accessKeyId, secretAccessKey },
    keystores: { file: { path: keyFile } },
    defaultKmsKeystore: 'file',
    uploadTokenRoot: randomBytes(32).toString('base64'),
    policy: { file: policyFile, watch: false },
    audit: { destination: { file: auditFile } },
  });
  const uploader = createSealedS3Client(container, { s3seal: { principal: 'uploader' } });
  const auditor = createSealedS3Client(container, { s3seal: { principal: 'auditor' } });
  // MinIO's administrator: a plain client with MinIO's own credentials, no s3seal
  const admin = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });

  try {
    const key = `invoices/${randomBytes(4).toString('hex')}.txt`;
    const invoice = Buffer.from('INVOICE 2026-001: ACME Corp owes 12,500.00 EUR, due 2027-01-31\n');

    const put = await uploader.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: invoice, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: INVOICES_KEY }));
    say(`uploader writes: yes (${put.ServerSideEncryption} ${put.SSEKMSKeyId})`);

    const uploaderGetError = await s3ErrorName(uploader.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    say(`uploader can read: ${uploaderGetError === undefined ? 'yes' : `no (${uploaderGetError})`}`);

    const got = await auditor.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const auditorReadMatches = Buffer.from(await got.Body!.transformToByteArray()).equals(invoice);
    say(`auditor reads: ${auditorReadMatches ? 'yes' : 'no'}`);

    const auditorPutError = await s3ErrorName(auditor.send(new PutObjectCommand({ Bucket: bucket, Key: `invoices/forged.txt`, Body: 'forged', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: INVOICES_KEY })));
    say(`auditor can write: ${auditorPutError === undefined ? 'yes' : `no (${auditorPutError})`}`);

    // the administrator's view: the stored bytes and the metadata, straight from MinIO
    const stored = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await stored.Body!.transformToByteArray());
    const adminSeesPlaintext = bytes.includes(Buffer.from('INVOICE')) || bytes.includes(Buffer.from('ACME'));
    say(`admin sees plaintext: ${adminSeesPlaintext ? 'yes' : 'no'} (${bytes.length} bytes of ciphertext)`);
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const envelope = head.Metadata?.['s3seal'];
    // the envelope is binary (docs/FORMAT.md §5): its key-id field is the keyRef in UTF-8, readable without any key
    const adminSeesKeyId = envelope !== undefined && Buffer.from(envelope, 'base64url').includes(Buffer.from(INVOICES_KEY)) ? INVOICES_KEY : undefined;
    say(`admin sees envelope: ${envelope !== undefined ? `yes (x-amz-meta-s3seal, ${envelope.length} characters, key ${adminSeesKeyId ?? 'unknown'}, data key wrapped)` : 'no'}`);

    const audit = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { principal?: string; action?: string; allowed?: boolean; key?: string });
    const auditedDenials = audit.filter((e) => e.principal === 'uploader' && e.action === 'GetObject' && e.allowed === false && e.key === key).length;
    say(`audit: uploader GetObject denied ${auditedDenials > 0 ? 'recorded' : 'missing'} (${audit.length} lines in ${auditFile})`);

    return { lines, uploaderWrote: { algorithm: put.ServerSideEncryption, keyId: put.SSEKMSKeyId }, uploaderGetError, auditorPutError, auditorReadMatches, adminSeesPlaintext, adminSeesKeyId, auditedDenials };
  } finally {
    admin.destroy();
    await Promise.all([uploader.close(), auditor.close()]);
    // the clients were given the container, so it is ours to close
    await closeContainer(container);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [endpoint, ak, sk, bucket, workDir] = process.argv.slice(2);
  if (!endpoint || !ak || !sk || !bucket || !workDir) throw new Error('usage: role-separation.js <endpoint> <accessKey> <secretKey> <bucket> <workDir>');
  await main(endpoint, ak, sk, bucket, workDir);
}
