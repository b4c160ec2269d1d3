import type { Logger } from '@switchboard/config';
import type { ContactCache } from '../store/contact-cache';
import type { InboundStore } from '../store/inbound-store';
import { maskEmail } from './email';
import { searchTextOf, sortKeyOf } from './contact-fields';
import { isUuid } from './ids';
import { INBOUND_SOURCE, KEYWORD_SOURCE, type InboundWork } from './inbound';
import { maskPhone } from './phone';

export type InboundOutcome =
  /** No contact had the sender's address: one was created (with the keyword's consent, if any). */
  | 'CREATED'
  /** The sender's contact exists and there was no keyword: nothing to write. */
  | 'FOUND'
  /** The keyword was recorded on the contact. */
  | 'CONSENT_RECORDED'
  /** The contact already has a decision as recent as the keyword (a redelivery, or a later decision). */
  | 'CONSENT_NOT_NEWER';

/**
 * The writer of the `message.received` consumer. Each message is one transaction: lock the contact
 * messaging named (or the one holding the sender's address), else create it — `INSERT … ON CONFLICT
 * DO NOTHING` on the organization's unique phone / email, so a redelivered event, or two consumers
 * racing, never create two contacts — then record the keyword's consent unless the contact already
 * has a decision as recent. Every write comes with its contact.changed outbox row (contact-writes).
 */
export class InboundContactService {
  constructor(
    private readonly store: InboundStore,
    private readonly cache: ContactCache,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async apply(work: InboundWork): Promise<{ outcome: InboundOutcome; contactId: string }> {
    const { organizationId } = work;
    const meta = { now: this.now(), traceId: work.traceId };
    const result = await this.store.transaction(async (tx) => {
      let contact = work.contactId && isUuid(work.contactId) ? await tx.lockById(organizationId, work.contactId) : null;
      contact ??= await tx.lockBySender(organizationId, work.sender);
      if (!contact) {
        const sortName = sortKeyOf(work.name);
        const created = await tx.createIfAbsent(
          organizationId,
          {
            name: work.name,
            sortName,
            searchText: searchTextOf({ sortName, phone: work.sender.phone, email: work.sender.email }),
            ...work.sender,
            tags: [],
            attributes: {},
            favourite: false,
            consent: {},
            source: INBOUND_SOURCE,
            consentDecisions: work.consent
              ? { [work.consent.channel]: { status: work.consent.status, source: KEYWORD_SOURCE, at: work.consent.at } }
              : {},
          },
          meta,
        );
        if (created) return { outcome: 'CREATED' as const, contactId: created.id };
        // Created meanwhile by someone else (an import, another delivery): use that one.
        contact = await tx.lockBySender(organizationId, work.sender);
        if (!contact) throw new Error("the sender's contact could neither be created nor found");
      }
      if (!work.consent) return { outcome: 'FOUND' as const, contactId: contact.id };
      const recorded = await tx.recordConsentIfNewer(
        organizationId,
        contact.id,
        work.consent.channel,
        { status: work.consent.status, source: KEYWORD_SOURCE, at: work.consent.at },
        meta,
      );
      return { outcome: recorded ? ('CONSENT_RECORDED' as const) : ('CONSENT_NOT_NEWER' as const), contactId: contact.id };
    });
    if (result.outcome === 'CREATED' || result.outcome === 'CONSENT_RECORDED') {
      await this.cache.invalidate(organizationId, [result.contactId]);
    }
    this.log.info(
      {
        contactId: result.contactId,
        outcome: result.outcome,
        channel: work.channel,
        from: work.sender.email ? maskEmail(work.sender.email) : maskPhone(work.sender.phone ?? ''),
        keyword: work.consent?.keyword ?? null,
      },
      'inbound message applied to contacts',
    );
    return result;
  }
}
