// Tests are precompiled by tsc (npm test runs `npm run build` first): ava runs plain JS, so there is
// no loader in the workers and stack traces map through source maps. See README "Development".
export default {
  files: ['dist/test/**/*.test.js'],
  timeout: '5m',
  concurrency: 2,
  workerThreads: false,
};
