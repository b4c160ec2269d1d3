import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const DEFAULT_QUERY = `# Switchboard GraphiQL — works offline, subscriptions over graphql-ws.
#
# 1. Sign in (no token needed):
#      mutation { login(input: { email: "you@example.com", password: "…" }) { accessToken } }
# 2. Paste the token into Headers:  { "Authorization": "Bearer <accessToken>" }
#    (the same header authenticates the WebSocket used by subscriptions).
query Me {
  me {
    id
    organization { name }
  }
}
`;

/**
 * Browser-side: GraphiQL sends its header editor's values with HTTP requests only. WebSockets
 * carry no headers, so graphql-ws connection params are read from the active tab's headers
 * (GraphiQL persists them in localStorage) each time the socket connects.
 */
const CONNECTION_PARAMS_FROM_HEADERS = `function () {
  try {
    var state = JSON.parse(window.localStorage.getItem('graphiql:tabState') || '{}');
    var tab = state.tabs && state.tabs[state.activeTabIndex || 0];
    var headers = JSON.parse((tab && tab.headers) || window.localStorage.getItem('graphiql:headers') || '{}');
    for (var name in headers) {
      if (name.toLowerCase() === 'authorization') return { authorization: headers[name] };
    }
  } catch (error) {
    console.warn('Could not read GraphiQL headers for the WebSocket', error);
  }
  return {};
}`;

/**
 * The offline GraphiQL page (everything inlined: no CDN, no fonts), pointed at the gateway's
 * `/graphql` endpoint for HTTP and `ws(s)://…/graphql` for subscriptions.
 */
export function renderGraphiQLPage(options: { endpoint: string; title?: string }): string {
  const graphiqlOptions = {
    title: options.title ?? 'Switchboard GraphiQL',
    endpoint: options.endpoint,
    subscriptionsProtocol: 'WS' as const,
    defaultQuery: DEFAULT_QUERY,
    shouldPersistHeaders: true,
  };
  const html = renderGraphiQL(graphiqlOptions);
  const literal = JSON.stringify(graphiqlOptions);
  const at = html.lastIndexOf(literal);
  if (at < 0) throw new Error('Unexpected GraphiQL template: cannot attach WebSocket connection params');
  return `${html.slice(0, at)}Object.assign(${literal}, { connectionParams: ${CONNECTION_PARAMS_FROM_HEADERS} })${html.slice(at + literal.length)}`;
}
