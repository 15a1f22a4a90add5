// The package as users get it: `npm pack`, installed into fresh projects with --ignore-scripts
// (test/package/). Slow (each file runs npm install), so apart from `npm test`; `.ci/run` runs it.
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/test/package'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 900000,
};
