import { z } from 'zod';

/**
 * Building blocks of the payload schemas. Addresses are checked loosely on purpose: the owning
 * subgraph validated them when they were entered, and the catalog must not reject what the
 * producer already accepted.
 */
export const id = z.uuid();
export const isoDateTime = z.iso.datetime({ offset: true });
export const emailAddress = z
  .string()
  .min(3)
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/u, 'not an email address');
/** E.164: `+` then 7–15 digits, no leading zero. */
export const e164Phone = z.string().regex(/^\+[1-9]\d{6,14}$/u, 'not an E.164 phone number');
export const httpUrl = z.url({ protocol: /^https?$/u });
export const role = z.enum(['OWNER', 'ADMIN', 'AGENT', 'VIEWER']);
export const channel = z.enum(['EMAIL', 'SMS', 'WHATSAPP']);
export type Channel = z.infer<typeof channel>;

/** Turns zod issues into paths and messages, dropping the input values zod may attach. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}
