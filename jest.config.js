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
      testMatch: ['<rootDir>/connectors/test/**/*.test.ts', '<rootDir>/interceptor/test/**/*.test.ts'],
      rootDir: __dirname,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      rootDir: __dirname,
    },
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
