// One jest run for the whole repository: unit tests live beside each package, cross-package
// tests (integration, conformance) under test/. ts-jest compiles with the root tsconfig.
/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/{connectors,collector,interceptor,node-red-nodes,n8n-nodes}/test/**/*.test.ts'],
      rootDir: __dirname,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/platforms/'],
      rootDir: __dirname,
    },
    {
      // Real platforms installed on demand into a cache outside the repository (Node-RED 5 on
      // Node 22, n8n 1.x and 2.x): minutes of install, so not part of `npm test`; `.ci/run` runs them.
      displayName: 'platforms',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/platforms/**/*.test.ts'],
      rootDir: __dirname,
    },
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
