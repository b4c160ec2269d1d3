export {
  createTestDatabase,
  dropStaleTestDatabases,
  type CreateTestDatabaseOptions,
  type TestDatabase,
} from './database';
export { registerUser, inviteAndJoin, invitationTokenFor, passwordResetTokenFor, uniqueEmail, DEFAULT_TEST_PASSWORD, type SeedTarget, type SeededUser, type RegisterOverrides } from './seed';
export { startTestSystem, type TestSystem, type StartTestSystemOptions, type GraphQLResponse } from './system';
export { batchDeletionShape, blocksOf, explainNodes, indexScanOf, type PlanNode } from './plans';
