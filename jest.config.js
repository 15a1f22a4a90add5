// Unit tests. ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`), because
// @kubernetes/client-node 1.x is ESM-only. Type-checking is done once by `tsc`, so ts-jest
// only transpiles.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/package/'],
  // Removes each test file's temporary directories after it (test/temp-dir.ts says why).
  setupFilesAfterEnv: ['<rootDir>/test/temp-dir.setup.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testTimeout: 30000,
};
