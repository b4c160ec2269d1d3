// Shared jest settings for every workspace: TypeScript through swc (no type-check here; `npm run
// typecheck` does that), workspace packages resolved to their sources so no build is needed.
const path = require('node:path');

const root = __dirname;

module.exports = function preset(dir, overrides = {}) {
  return {
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)sx?$': ['@swc/jest', { swcrc: false, ...require(path.join(root, 'swc-jest.json')) }],
    },
    transformIgnorePatterns: ['/node_modules/(?!(graphql-ws)/)'],
    moduleNameMapper: {
      // subgraph-kit is a package, not a subgraph: map it before the subgraph pattern catches it.
      '^@switchboard/subgraph-kit$': path.join(root, 'packages/subgraph-kit/src'),
      '^@switchboard/subgraph-([^/]+)$': path.join(root, 'subgraphs/$1/src'),
      '^@switchboard/gateway$': path.join(root, 'gateway/src'),
      '^@switchboard/worker-([^/]+)$': path.join(root, 'workers/$1/src'),
      '^@switchboard/([^/]+)$': path.join(root, 'packages/$1/src'),
    },
    globalSetup: overrides.globalSetup,
    testTimeout: 30_000,
    ...overrides,
  };
};
