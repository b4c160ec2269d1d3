// The control protocol: the same commands programmatically (`standIn.control({...})`) and over HTTP
// (`POST /__control` with the command as JSON; `GET /__control` returns the state).
import { Behaviour, RuleError, type ActiveRule, type BehaviourRule } from './behaviour';
import { json, parseJson, type HttpRequest, type HttpResponse } from './http';
import type { RequestLogEntry } from './request-log';

export type ControlCommand =
  | { action: 'add-rule'; rule: BehaviourRule }
  | { action: 'remove-rule'; id: string }
  /** Removes every rule and empties the request log. */
  | { action: 'reset' }
  | { action: 'state' }
  | { action: string; [key: string]: unknown };

export class ControlError extends Error {}

export interface Controllable {
  readonly behaviour: Behaviour;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  /** Channel-specific state returned by `state` (settings, counters). */
  describe(): Record<string, unknown>;
  /** Channel-specific actions (`simulate-inbound`, `configure`, …); undefined = unknown action. */
  channelCommand(command: ControlCommand): Promise<unknown>;
}

export interface ControlState {
  rules: ActiveRule[];
  requests: RequestLogEntry[];
  [key: string]: unknown;
}

export async function runControlCommand(target: Controllable, command: ControlCommand): Promise<unknown> {
  if (typeof command !== 'object' || command === null || typeof command.action !== 'string') {
    throw new ControlError('a command is a JSON object with an "action"');
  }
  switch (command.action) {
    case 'add-rule':
      try {
        return { rule: target.behaviour.add((command as { rule: BehaviourRule }).rule) };
      } catch (error) {
        if (error instanceof RuleError) throw new ControlError(error.message);
        throw error;
      }
    case 'remove-rule':
      return { removed: target.behaviour.remove(String((command as { id?: unknown }).id)) };
    case 'reset':
      target.behaviour.clear();
      target.clearRequests();
      return { reset: true };
    case 'state':
      return { ...target.describe(), rules: target.behaviour.list(), requests: target.requests() } satisfies ControlState;
    default: {
      const result = await target.channelCommand(command);
      if (result === undefined) throw new ControlError(`unknown action "${command.action}"`);
      return result;
    }
  }
}

/** Answers `/__control` requests; undefined when the request is for another path. */
export async function handleControlRequest(target: Controllable, request: HttpRequest): Promise<HttpResponse | undefined> {
  if (request.path !== '/__control') return undefined;
  if (request.method === 'GET') return json(200, await runControlCommand(target, { action: 'state' }));
  if (request.method !== 'POST') return json(405, { error: 'use GET or POST' });
  const parsed = parseJson(request.body);
  if (!parsed.ok) return json(400, { error: 'body must be JSON' });
  try {
    return json(200, await runControlCommand(target, parsed.value as ControlCommand));
  } catch (error) {
    if (error instanceof ControlError) return json(400, { error: error.message });
    throw error;
  }
}
