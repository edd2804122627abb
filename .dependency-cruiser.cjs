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
