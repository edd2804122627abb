// Layer rules (DESIGN.md "Architecture"), checked by `npm run lint` in CI.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'product-imports-no-test-code',
      comment: 'product code (src/) never imports the harness (scripts/), tests (test/), benchmarks or examples',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(scripts|test|bench|examples)/' },
    },
    {
      name: 'lower-layers-import-no-upper-layer',
      comment:
        'DESIGN.md "Architecture": keystores, crypto and format know nothing about S3, the engine, policies, doors or the wiring; ' +
        'they sit below all of them (key resolvers are engine materials: src/engine/materials/)',
      severity: 'error',
      from: { path: '^src/(keystores|crypto|format)/' },
      to: { path: '^src/(engine|policies|adapters|backends|container|cli)/|^src/index\\.ts$' },
    },
    {
      name: 'backends-import-no-upper-layer',
      comment: 'the ObjectStore port and its drivers see ciphertext and metadata only: no keys, no engine, no doors',
      severity: 'error',
      from: { path: '^src/backends/' },
      to: { path: '^src/(keystores|engine|policies|adapters|container|cli)/|^src/index\\.ts$' },
    },
    {
      name: 'engine-imports-no-adapter',
      comment: 'data flows down: the engine never parses HTTP and never knows which door called it (nor the wiring)',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: '^src/(adapters|container|cli)/|^src/index\\.ts$' },
    },
    {
      name: 'policies-import-no-adapter',
      comment: 'the policy layer decides for every door alike',
      severity: 'error',
      from: { path: '^src/policies/' },
      to: { path: '^src/(adapters|container|cli)/|^src/index\\.ts$' },
    },
    {
      name: 'door-imports-no-other-door',
      comment: 'a door (sdk-v3, minio, gateway) only moves requests into the S3 core: an S3 rule two doors share belongs in src/adapters/s3',
      severity: 'error',
      from: { path: '^src/adapters/(sdk-v3|minio|gateway)/' },
      to: { path: '^src/adapters/(sdk-v3|minio|gateway)/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 's3-core-imports-no-door',
      comment: 'the S3 core serves every door and depends on none of them',
      severity: 'error',
      from: { path: '^src/adapters/s3/' },
      to: { path: '^src/adapters/(sdk-v3|minio|gateway)/' },
    },
    {
      name: 'only-the-container-knows-concrete-classes',
      comment:
        'DESIGN.md "Architecture": concrete keystores and backends are wired in src/container (and exported by src/index.ts, used by the CLI); ' +
        'every other layer talks to the Keystore and ObjectStore ports',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(container/|cli/|index\\.ts$)' },
      to: { path: '^src/(keystores/(file-keystore|awskms-keystore|vault/vault-keystore)|backends/s3-object-store)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
