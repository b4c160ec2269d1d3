// Failure injection and behaviour controls shared by the three stand-ins.
//
// A rule matches one recipient (or every recipient when `recipient` is absent) and says what the
// stand-in does with the next matching requests: answer with a provider error, answer slowly,
// never answer, or accept and then play the status callbacks in an unusual way. Rules are checked
// in the order they were added; the first one that matches is used (and, with `times`, consumed).

export type Fault =
  /** 5xx from the provider (Twilio 20500/20503, WhatsApp 131000/2, SMTP 451 4.3.0). */
  | { type: 'server-error'; status?: number }
  /** Rate limited (Twilio 429 code 20429, WhatsApp code 130429, SMTP 451 4.7.1). */
  | { type: 'rate-limit' }
  /**
   * Permanent rejection of the recipient: Twilio answers 400 with `code` (default 21610, e.g.
   * 21211), WhatsApp accepts with 200 and later posts a `failed` status with `code` (default
   * 131026, e.g. 131047), SMTP answers RCPT TO with `code` (default 550).
   */
  | { type: 'permanent'; code?: number }
  /**
   * Accepted, then not delivered: Twilio posts `undelivered` (default code 30003) or `failed`
   * (e.g. 30008, 63016) status callbacks, WhatsApp a `failed` status (default 131026). SMTP treats it
   * like `permanent`.
   */
  | { type: 'undelivered'; code?: number; status?: 'undelivered' | 'failed' }
  /** Never answer: the connection stays open until the client gives up or the stand-in closes. */
  | { type: 'timeout' };

export type CallbackOrder = 'in-order' | 'reverse' | 'shuffle';

/** How the status callbacks (Twilio) / status webhooks (WhatsApp) of a matching send are played. */
export interface CallbackPlan {
  /** Delay before each callback, in ms (overrides the stand-in's default). */
  delayMs?: number;
  /** Post every callback twice. */
  duplicate?: boolean;
  /** `reverse` posts e.g. delivered before sent; `shuffle` posts them in a random order. */
  order?: CallbackOrder;
  /** Statuses not posted at all (e.g. `['delivered']`: WhatsApp skips it when read at once). */
  skip?: string[];
  /** WhatsApp only: all statuses of the message in one webhook (Meta batches events). */
  batch?: boolean;
}

export interface BehaviourRule {
  /** Phone number (any format, `whatsapp:` prefix ignored) or email address; absent = everyone. */
  recipient?: string;
  /** Apply to the next N matching requests, then expire. Absent = until removed. */
  times?: number;
  fault?: Fault;
  /** Answer (or fail) only after this many ms: a slow provider. */
  delayMs?: number;
  callbacks?: CallbackPlan;
}

export interface ActiveRule extends BehaviourRule {
  id: string;
  /** How many more requests the rule applies to (undefined = unlimited). */
  remaining?: number;
  /** How many requests the rule has matched so far. */
  matched: number;
}

const FAULT_TYPES = new Set(['server-error', 'rate-limit', 'permanent', 'undelivered', 'timeout']);
const ORDERS = new Set(['in-order', 'reverse', 'shuffle']);

/** Phone numbers compare by their digits (so `whatsapp:+1 555…` matches `1555…`), emails case-insensitively. */
export function normalizeRecipient(recipient: string): string {
  const value = recipient.trim().toLowerCase().replace(/^whatsapp:/, '');
  if (value.includes('@')) return value.replace(/^<|>$/g, '');
  const digits = value.replace(/[^0-9]/g, '');
  return digits.length > 0 ? digits : value;
}

export class Behaviour {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  /** Adds a rule (validated, so a typo sent through the control endpoint is refused, not ignored). */
  add(rule: BehaviourRule): ActiveRule {
    const checked = validateRule(rule);
    const active: ActiveRule = {
      ...checked,
      id: `rule-${this.nextId++}`,
      remaining: checked.times,
      matched: 0,
    };
    this.rules.push(active);
    return { ...active };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /**
   * The rule for a request to `recipient` (undefined = a request without a recipient, which only
   * global rules match). Consumes one use of a counted rule. `scope` restricts the candidates to
   * rules with a recipient (`specific`) or without (`global`) — SMTP applies global rules once per
   * message at MAIL FROM and recipient rules at each RCPT TO.
   */
  take(recipient: string | undefined, scope: 'any' | 'specific' | 'global' = 'any'): BehaviourRule | undefined {
    const key = recipient === undefined ? undefined : normalizeRecipient(recipient);
    const index = this.rules.findIndex((rule) => {
      if (rule.recipient === undefined) return scope !== 'specific';
      return scope !== 'global' && key !== undefined && normalizeRecipient(rule.recipient) === key;
    });
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    rule.matched += 1;
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules.splice(index, 1);
    }
    const { id: _id, remaining: _remaining, matched: _matched, ...applied } = rule;
    return applied;
  }
}

export class RuleError extends Error {}

function validateRule(input: unknown): BehaviourRule {
  if (typeof input !== 'object' || input === null) throw new RuleError('rule must be an object');
  const rule = input as Record<string, unknown>;
  const known = new Set(['recipient', 'times', 'fault', 'delayMs', 'callbacks']);
  for (const key of Object.keys(rule)) if (!known.has(key)) throw new RuleError(`unknown rule field "${key}"`);
  if (rule.recipient !== undefined && (typeof rule.recipient !== 'string' || rule.recipient.trim() === '')) {
    throw new RuleError('recipient must be a non-empty string');
  }
  if (rule.times !== undefined && !isPositiveInteger(rule.times)) throw new RuleError('times must be a positive integer');
  if (rule.delayMs !== undefined && !isNonNegativeNumber(rule.delayMs)) throw new RuleError('delayMs must be >= 0');
  if (rule.fault !== undefined) {
    const fault = rule.fault as Record<string, unknown>;
    if (typeof fault !== 'object' || fault === null || !FAULT_TYPES.has(fault.type as string)) {
      throw new RuleError(`fault.type must be one of ${[...FAULT_TYPES].join(', ')}`);
    }
    if (fault.status !== undefined) {
      const status = fault.status;
      const ok =
        fault.type === 'server-error'
          ? isPositiveInteger(status) && (status as number) >= 500 && (status as number) <= 599
          : fault.type === 'undelivered' && (status === 'undelivered' || status === 'failed');
      if (!ok) throw new RuleError(`fault.status ${JSON.stringify(status)} is not valid for ${String(fault.type)}`);
    }
    if (fault.code !== undefined && !isPositiveInteger(fault.code)) throw new RuleError('fault.code must be an integer');
  }
  if (rule.callbacks !== undefined) {
    const plan = rule.callbacks as Record<string, unknown>;
    if (typeof plan !== 'object' || plan === null) throw new RuleError('callbacks must be an object');
    if (plan.delayMs !== undefined && !isNonNegativeNumber(plan.delayMs)) throw new RuleError('callbacks.delayMs must be >= 0');
    if (plan.order !== undefined && !ORDERS.has(plan.order as string)) {
      throw new RuleError(`callbacks.order must be one of ${[...ORDERS].join(', ')}`);
    }
    if (plan.skip !== undefined && !(Array.isArray(plan.skip) && plan.skip.every((s) => typeof s === 'string'))) {
      throw new RuleError('callbacks.skip must be a list of statuses');
    }
  }
  return rule as BehaviourRule;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isNonNegativeNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Applies a plan to the natural status sequence: skipped statuses removed, reordered, duplicated. */
export function playOrder<T>(items: T[], plan: CallbackPlan | undefined, statusOf: (item: T) => string): T[] {
  const skip = new Set(plan?.skip ?? []);
  let played = items.filter((item) => !skip.has(statusOf(item)));
  if (plan?.order === 'reverse') played = [...played].reverse();
  if (plan?.order === 'shuffle') {
    played = [...played];
    for (let i = played.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [played[i], played[j]] = [played[j]!, played[i]!];
    }
  }
  if (plan?.duplicate) played = played.flatMap((item) => [item, item]);
  return played;
}
