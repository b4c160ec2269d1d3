import type { ImportJobResolvers } from '../__generated__/resolvers-types';
import type { ImportRowError } from '../domain/import-rows';

export const ImportJob: ImportJobResolvers = {
  errors: (job) => (Array.isArray(job.errors) ? (job.errors as unknown as ImportRowError[]) : []),
};
