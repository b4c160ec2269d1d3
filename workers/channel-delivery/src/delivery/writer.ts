// The side effects of a delivery's outcome (style.md: writer): remember it, then announce it.
import { encodeEvent, type EventEnvelope, type SwitchboardEvent } from '@switchboard/events';
import { createBatchingSender, type Producer } from '@switchboard/kafka';
import type { DeliveryRecords } from './delivery-records';
import { outcomeEvents, type DeliveryOutcome, type RequestRef } from './processor';

export interface DeliveryWriter {
  /** Publishes events and waits for every in-sync replica (acks=all). */
  publish(events: EventEnvelope[]): Promise<void>;
  /**
   * Records the outcome in Redis, then publishes it. The record comes first: if publishing fails
   * the handler throws, the request is redelivered, and the record makes it re-publish instead of
   * sending again.
   */
  complete(request: RequestRef, outcome: DeliveryOutcome): Promise<void>;
}

export function createDeliveryWriter(producer: Producer, records: DeliveryRecords): DeliveryWriter {
  // The handlers of all partitions publish through one batching sender: one produce request for
  // whatever they publish at the same moment.
  const send = createBatchingSender(producer);
  const publish = (events: EventEnvelope[]): Promise<void> => send(events.map((event) => encodeEvent(event as SwitchboardEvent)));
  return {
    publish,
    async complete(request, outcome) {
      await records.put(request.messageId, outcome);
      await publish(outcomeEvents(request, outcome));
    },
  };
}
