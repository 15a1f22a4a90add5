// End-to-end tests against the API server named by E2E_KUBECONFIG (see README).
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120000,
};
