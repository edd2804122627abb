/**
 * The package as a user gets it (DESIGN.md "Architecture": `npm pack` yields a working package; issue 6
 * item 20): `npm pack` of this checkout, installed from the tarball into a fresh project outside the
 * repository, then imported and run there — the library by its package name and the `s3seal` bin.
 * Nothing from scripts/ or test/ is in the tarball, so a product module that still needed them fails here.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
// Compiled to dist/test/integration/, so the repository root is three levels up.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The environment of the `npm test` that runs us, minus what npm sets for its own scripts: a nested
 * npm must see the temp project as its project, not this checkout (npm_config_local_prefix).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|config_(local_prefix|prefix|global_prefix)$)/i.test(name)) continue;
    env[name] = value;
  }
  return env;
}

interface PackedFile { path: string }
interface Installed { project: string; files: string[] }

let installed: Promise<Installed> | undefined;

/** Packs and installs once for the whole file (one `npm install`: it resolves the dependencies from the registry). */
function packAndInstall(): Promise<Installed> {
  installed ??= (async () => {
    const out = tempDir('pack');
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: repoRoot, env: cleanEnv(), maxBuffer: 16 << 20 });
    const packed = JSON.parse(stdout) as { filename: string; files: PackedFile[] }[];
    const tarball = join(out, packed[0]!.filename);
    const project = tempDir('consumer');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
    await run('npm', ['install', '--prefix', project, '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, env: cleanEnv(), timeout: 600_000, maxBuffer: 16 << 20 });
    return { project, files: packed[0]!.files.map((f) => f.path) };
  })();
  return installed;
}

test('the tarball holds the compiled library, its docs and README, and no tests, harness, benchmarks or sources', async (t) => {
  const { files } = await packAndInstall();
  for (const needed of ['package.json', 'README.md', 'docs/FORMAT.md', 'docs/THREAT-MODEL.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js']) {
    t.true(files.includes(needed), `${needed} is in the tarball`);
  }
  t.deepEqual(files.filter((f) => !/^(dist\/src\/|docs\/|README\.md$|package\.json$)/.test(f)), []);
  t.deepEqual(files.filter((f) => f.endsWith('.map')), [], 'no source maps pointing at sources the package does not ship');
});

test("a fresh project imports { createContainer, FileKeystore, getS3SealPlugin, createSealedS3Client } from 's3seal', round-trips a data key and gets the facade and the plugin", async (t) => {
  const { project } = await packAndInstall();
  t.true(existsSync(join(project, 'node_modules', 's3seal', 'dist', 'src', 'index.js')));
  t.false(existsSync(join(project, 'node_modules', 's3seal', 'scripts')));
  const script = join(project, 'consumer.mjs');
  writeFileSync(script, `
import { randomBytes } from 'node:crypto';
import { closeContainer, createContainer, createSealedS3Client, FileKeystore, getS3SealPlugin, getService, TOKENS } from 's3seal';
const path = ${JSON.stringify(join(project, 'keys.json'))};
const ks = new FileKeystore({ path, create: true });
await ks.createKey('consumer');
const context = '{"bucket":"b"}';
const dk = await ks.generateDataKey('consumer', context);
const back = await ks.decryptDataKey('consumer', dk.wrapped, context);
const container = createContainer({
  backend: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'x', secretAccessKey: 'x' },
  keystores: { file: { path } },
  uploadTokenRoot: randomBytes(32).toString('base64'),
});
const facade = getService(container, TOKENS.ObjectFacade);
const plugin = getS3SealPlugin(container);
const client = createSealedS3Client(container);
client.destroy();
await closeContainer(container);
console.log(JSON.stringify({ keyId: dk.keyId, same: back.equals(dk.plaintext), length: back.length, facade: typeof facade.putObject, plugin: typeof plugin.applyToStack }));
`);
  const { stdout } = await run(process.execPath, [script], { cwd: project });
  t.deepEqual(JSON.parse(stdout.trim()), { keyId: 'file:consumer', same: true, length: 32, facade: 'function', plugin: 'function' });
});

test('the installed s3seal bin runs its demo (embedded MinIO from the tool cache) without the repository', async (t) => {
  const { project } = await packAndInstall();
  const bin = join(project, 'node_modules', '.bin', 's3seal');
  t.true(existsSync(bin), `bins: ${readdirSync(join(project, 'node_modules', '.bin')).join(', ')}`);
  const help = await run(bin, ['--help'], { cwd: project });
  t.regex(help.stdout, /demo/);
  const dataDir = join(project, 'demo-data');
  const demo = await run(bin, ['demo', '--data-dir', dataDir], { cwd: project, timeout: 300_000, maxBuffer: 16 << 20 });
  t.regex(demo.stdout, /^s3seal demo ok backend=http:\/\/127\.0\.0\.1:\d+ /m);
});
