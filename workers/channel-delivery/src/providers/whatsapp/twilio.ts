import { ProviderError, type WhatsappContent, type WhatsappProvider } from '../provider';
import { createTwilioMessagesApi, senderParams, type TwilioAccount, type TwilioMessageParams } from '../twilio/twilio-api';

export interface TwilioWhatsappAccount extends TwilioAccount {
  /**
   * Approved templates are sent by Content sid (`HX…`). A template whose name is not itself a
   * content sid is looked up here by `<name>:<language>`, then by `<name>`.
   */
  contentSids?: Record<string, string>;
}

const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/u;

const whatsappAddress = (address: string): string => (address.startsWith('whatsapp:') ? address : `whatsapp:${address}`);

function contentSidOf(account: TwilioWhatsappAccount, name: string, language: string): string | undefined {
  if (CONTENT_SID.test(name)) return name;
  return account.contentSids?.[`${name}:${language}`] ?? account.contentSids?.[name];
}

/**
 * The message part of the request. Template variables are numbered the way Twilio content
 * templates number them: header parameters first (`1`, `2` …), then the body's.
 */
function contentParams(account: TwilioWhatsappAccount, content: WhatsappContent): Omit<TwilioMessageParams, 'to'> {
  switch (content.kind) {
    case 'text':
      return { body: content.body };
    case 'media':
      return { mediaUrl: [content.url], ...(content.caption ? { body: content.caption } : {}) };
    case 'template': {
      const contentSid = contentSidOf(account, content.name, content.language);
      if (!contentSid) {
        throw new ProviderError('PERMANENT', 'TEMPLATE_NOT_MAPPED', 'no Twilio content sid is configured for this WhatsApp template');
      }
      const values = [...content.headerParameters, ...content.bodyParameters];
      return {
        contentSid,
        ...(values.length > 0 ? { contentVariables: JSON.stringify(Object.fromEntries(values.map((value, i) => [String(i + 1), value]))) } : {}),
      };
    }
  }
}

/** WhatsApp through Twilio (`whatsapp:` addresses; templates as Content sid + ContentVariables). */
export function createTwilioWhatsappProvider(account: TwilioWhatsappAccount): WhatsappProvider {
  const api = createTwilioMessagesApi(account);
  return {
    vendor: 'twilio',
    async send(message) {
      const from = senderParams(message.from);
      return api.create(message.messageId, {
        to: whatsappAddress(message.to),
        ...('from' in from ? { from: whatsappAddress(from.from) } : from),
        ...contentParams(account, message.content),
      });
    },
    close: async () => {},
  };
}
