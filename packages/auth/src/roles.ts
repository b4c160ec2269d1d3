/** Organization roles, strongest first. */
export const ROLES = ['OWNER', 'ADMIN', 'AGENT', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

const rank: Record<Role, number> = { OWNER: 4, ADMIN: 3, AGENT: 2, VIEWER: 1 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` grants at least what `minimum` grants. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return rank[role] >= rank[minimum];
}
