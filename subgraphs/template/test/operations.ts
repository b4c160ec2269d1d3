/** GraphQL documents shared by the subgraph tests (and mirrored by the e2e tests). */

export const CONTENT = `
  __typename
  ... on EmailTemplateContent { subject html text }
  ... on SmsTemplateContent { body preview encoding segments units nonGsmCharacters }
  ... on WhatsAppTemplateContent { category header { format text } body footer buttons { type text url phoneNumber } }
`;

export const TEMPLATE = `
  id channel name language status sendable archivedAt createdAt updatedAt
  content { ${CONTENT} }
  variables { name type example description }
  latestVersion { version status statusReason }
  activeVersion { version status statusReason }
`;

export const RENDERED = `
  __typename
  ... on RenderedEmail { templateId version subject html text }
  ... on RenderedSms { templateId version body encoding segments units nonGsmCharacters }
  ... on RenderedWhatsApp { templateId version name language category header body footer buttons { type text url phoneNumber } components cloudApiTemplate }
`;

export const CREATE = `mutation Create($input: CreateTemplateInput!) { createTemplate(input: $input) { ${TEMPLATE} } }`;
export const UPDATE = `mutation Update($id: ID!, $input: UpdateTemplateInput!) { updateTemplate(id: $id, input: $input) { ${TEMPLATE} } }`;
export const DELETE = `mutation Delete($id: ID!) { deleteTemplate(id: $id) { ${TEMPLATE} } }`;
export const SUBMIT = `mutation Submit($id: ID!) { submitTemplateForApproval(id: $id) { ${TEMPLATE} } }`;
export const SET_STATUS = `mutation SetStatus($id: ID!, $status: TemplateStatus!, $reason: String, $version: Int) {
  setTemplateApprovalStatus(id: $id, status: $status, reason: $reason, version: $version) { ${TEMPLATE} }
}`;
export const GET = `query Get($id: ID!) { template(id: $id) { ${TEMPLATE} } }`;
export const LIST = `query List($filter: TemplateFilter, $first: Int, $after: String) {
  templates(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id name channel status sendable } }
  }
}`;
export const RENDER = `query Render($id: ID!, $variables: JSON!, $version: Int, $forSending: Boolean) {
  renderTemplate(id: $id, variables: $variables, version: $version, forSending: $forSending) { ${RENDERED} }
}`;
export const VERSIONS = `query Versions($id: ID!) {
  template(id: $id) {
    versions { version status statusReason supersededAt submittedAt content { ${CONTENT} } statusHistory { from to reason changedByUserId changedAt } }
  }
}`;

export const emailInput = (overrides: Record<string, unknown> = {}) => ({
  channel: 'EMAIL',
  name: 'Welcome email',
  variables: [
    { name: 'first_name', type: 'STRING', example: 'Ann' },
    { name: 'link', type: 'URL', example: 'https://app.example.test/start' },
  ],
  email: {
    subject: 'Welcome, {{first_name}}',
    html: '<p>Hi {{first_name}},</p><p><a href="{{link}}" title="Start, {{first_name}}">Get started</a></p>',
    text: 'Hi {{first_name}}, get started: {{link}}',
  },
  ...overrides,
});

export const smsInput = (overrides: Record<string, unknown> = {}) => ({
  channel: 'SMS',
  name: 'Verification code',
  variables: [{ name: 'code', type: 'NUMBER', example: 123456 }],
  sms: { body: 'Your code is {{code}}. It expires in 10 minutes.' },
  ...overrides,
});

export const whatsappInput = (overrides: Record<string, unknown> = {}) => ({
  channel: 'WHATSAPP',
  name: 'order_update',
  language: 'en_US',
  variables: [
    { name: '1', type: 'STRING', example: 'Ann' },
    { name: '2', type: 'STRING', example: 'A-1042' },
    { name: '3', type: 'CURRENCY', example: { amount: 42.5, currency: 'USD' } },
  ],
  whatsapp: {
    category: 'UTILITY',
    header: { text: 'Order {{2}}' },
    body: 'Hi {{1}}, your order {{2}} of {{3}} has shipped.',
    footer: 'Reply STOP to unsubscribe',
    buttons: [
      { type: 'QUICK_REPLY', text: 'Thanks' },
      { type: 'URL', text: 'Track order', url: 'https://shop.example.test/track/{{2}}' },
    ],
  },
  ...overrides,
});
