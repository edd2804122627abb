import test from 'ava';
import { mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicySource } from '../../src/policies/policy-source.js';
import { PolicyDocumentError } from '../../src/policies/policy-document-error.js';
import type { PolicyDocument } from '../../src/policies/policy-document.js';

const policy = (principal: string) => `version: 1\nprincipals:\n  ${principal}: {}\n`;
const BAD = `version: 1\nprincipals:\n  a: {}\nstatements:\n  - effect: Allow\n    principals: [a]\n    actions: [s3:GetObjects]\n    resources: "*"\n`;

function recordingLog() {
  const lines: { level: 'info' | 'error'; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    error: (obj: object, msg: string) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

async function waitFor(cond: () => boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

const principals = (d: PolicyDocument) => [...d.principals.keys()];

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 's3seal-policy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// SIGHUP reaches every PolicySource of this process, so these tests run one at a time
test.serial('open loads the document; a bad or missing document fails at startup with its line and field', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'policy.yaml');
  await writeFile(path, policy('uploader'));
  const s = await PolicySource.open(path, 'awskms', recordingLog());
  t.deepEqual(principals(s.current), ['uploader']);
  await writeFile(path, BAD);
  const e = await t.throwsAsync(PolicySource.open(path, 'awskms', recordingLog()), { instanceOf: PolicyDocumentError });
  t.is(e?.message, `${path}:7: statements[0].actions[0]: unknown action "s3:GetObjects"`);
  const missing = await t.throwsAsync(PolicySource.open(join(dir, 'nope.yaml'), 'awskms', recordingLog()), { instanceOf: PolicyDocumentError });
  t.regex(missing?.message ?? '', /nope\.yaml: cannot read the policy document \(ENOENT\)$/);
  t.throws(() => new PolicySource(path, 'awskms', recordingLog()).current, { instanceOf: PolicyDocumentError });
});

test.serial('a bad reload keeps the old document and logs why, naming the line; a good one replaces it and calls onChange', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'policy.yaml');
  await writeFile(path, policy('uploader'));
  const log = recordingLog();
  const s = await PolicySource.open(path, 'awskms', log);
  const changes: PolicyDocument[] = [];
  s.onChange = (d) => changes.push(d);
  const before = s.current;
  await writeFile(path, BAD);
  t.false(await s.reload());
  t.is(s.current, before, 'the very same document stays in force');
  const err = log.lines.find((l) => l.level === 'error');
  t.is(err?.msg, 'policy document reload failed: the previous document stays in force');
  t.is(err?.obj['line'], 7);
  t.is(err?.obj['field'], 'statements[0].actions[0]');
  t.is(err?.obj['err'], `${path}:7: statements[0].actions[0]: unknown action "s3:GetObjects"`);
  t.deepEqual(changes, []);
  await writeFile(path, policy('auditor'));
  t.true(await s.reload());
  t.deepEqual(principals(s.current), ['auditor']);
  t.deepEqual(changes.map(principals), [['auditor']]);
  t.true(await s.reload(), 'an unchanged file is the document in force');
  t.is(changes.length, 1, 'and no change to report');
  s.onChange = () => {
    throw new Error('hook failed');
  };
  await writeFile(path, policy('ops'));
  t.true(await s.reload(), 'a failing hook does not undo the reload');
  t.deepEqual(principals(s.current), ['ops']);
  t.true(log.lines.some((l) => l.level === 'error' && l.msg === 'policy document onChange hook failed'));
});

test.serial('watch: an in-place write and an atomic rename-replace are both seen; a bad file in between changes nothing', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'policy.yaml');
  await writeFile(path, policy('uploader'));
  const log = recordingLog();
  const s = await PolicySource.open(path, 'awskms', log);
  t.teardown(() => s.close());
  const changes: string[][] = [];
  s.onChange = (d) => changes.push(principals(d));
  s.watch();
  await writeFile(path, policy('auditor'));
  t.true(await waitFor(() => changes.length === 1), 'in-place write');
  t.deepEqual(principals(s.current), ['auditor']);
  await writeFile(join(dir, '.policy.yaml.tmp'), policy('payroll'));
  await rename(join(dir, '.policy.yaml.tmp'), path);
  t.true(await waitFor(() => changes.length === 2), 'rename over the file');
  t.deepEqual(principals(s.current), ['payroll']);
  await writeFile(path, BAD);
  t.true(await waitFor(() => log.lines.some((l) => l.level === 'error' && l.obj['line'] === 7)));
  t.deepEqual(principals(s.current), ['payroll']);
  await writeFile(path, policy('ops'));
  t.true(await waitFor(() => changes.length === 3), 'still watching after a bad document');
  t.deepEqual(changes, [['auditor'], ['payroll'], ['ops']], 'one reload per burst of file events');
});

test.serial('SIGHUP reloads where no watch can see the change; close removes the listener and the watch', async (t) => {
  // the document path is a symlink into another directory (as a mounted secret): edits of the target are invisible to the watch
  const dir = await tempDir(t);
  const real = await tempDir(t);
  const target = join(real, 'policy.yaml');
  await writeFile(target, policy('uploader'));
  const path = join(dir, 'policy.yaml');
  await symlink(target, path);
  // a listener of our own, so a stray SIGHUP can never kill the test worker
  const guard = () => undefined;
  process.on('SIGHUP', guard);
  t.teardown(() => process.off('SIGHUP', guard));
  const baseline = process.listenerCount('SIGHUP');
  const s = await PolicySource.open(path, 'awskms', recordingLog());
  const changes: string[][] = [];
  s.onChange = (d) => changes.push(principals(d));
  s.watch();
  t.is(process.listenerCount('SIGHUP'), baseline + 1);
  await writeFile(target, policy('auditor'));
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(principals(s.current), ['uploader'], 'the watch did not see the change');
  process.kill(process.pid, 'SIGHUP');
  t.true(await waitFor(() => changes.length === 1));
  t.deepEqual(principals(s.current), ['auditor']);
  s.close();
  t.is(process.listenerCount('SIGHUP'), baseline);
  await writeFile(target, policy('ops'));
  process.kill(process.pid, 'SIGHUP');
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(principals(s.current), ['auditor'], 'a closed source reloads no more');
});
