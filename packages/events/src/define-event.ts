import type { z } from 'zod';

/**
 * One event type of the catalog: its name and version, the topic it is published to, how its
 * Kafka key is derived from the payload (messages with the same key keep their order), and the
 * payload schema. Producers and consumers use the same definition.
 */
export interface EventDefinition<TType extends string = string, TPayload extends z.ZodType = z.ZodType> {
  /** `<entity>.<fact>` (lower case, dots and underscores), e.g. `message.status`. */
  readonly type: TType;
  /** Starts at 1; a breaking payload change is a new version of the same type. */
  readonly version: number;
  /** Kafka topic, `<entity>.<fact>`. */
  readonly topic: string;
  readonly payload: TPayload;
  /** The Kafka key: the entity's id, or for message requests the conversation or recipient. */
  key(payload: z.output<TPayload>): string;
  /** One line for the README / catalog listing. */
  readonly description: string;
}

/** The payload type of a definition. */
export type PayloadOf<D> = D extends EventDefinition<string, infer P> ? z.output<P> : never;

const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/u;

/** Declares an event type (checked once, at module load). */
export function defineEvent<const TType extends string, TPayload extends z.ZodType>(
  definition: EventDefinition<TType, TPayload>,
): EventDefinition<TType, TPayload> {
  if (!NAME.test(definition.type)) throw new Error(`event type "${definition.type}" is not <entity>.<fact>`);
  if (!NAME.test(definition.topic)) throw new Error(`topic "${definition.topic}" of ${definition.type} is not <entity>.<fact>`);
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new Error(`event ${definition.type} has version ${definition.version}; versions are integers from 1`);
  }
  return Object.freeze({ ...definition });
}
