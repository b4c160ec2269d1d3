import type { MutationResolvers } from '../../__generated__/resolvers-types';
import { setTemplateApprovalStatus, submitTemplateForApproval } from './approval';
import { createTemplate } from './create-template';
import { deleteTemplate } from './delete-template';
import { updateTemplate } from './update-template';

/** Writes: AGENT and up create, edit and submit; ADMIN and up delete and set approval status. */
export const Mutation: MutationResolvers = {
  createTemplate,
  updateTemplate,
  deleteTemplate,
  submitTemplateForApproval,
  setTemplateApprovalStatus,
};
