import { SUBGRAPH_NAMES } from './compose';

/**
 * Where each subgraph listens when no explicit URL is given: `http://<host>:<portBase + index>/graphql`
 * in SUBGRAPH_NAMES order (user 4001, team 4002, …). The launcher, the compose CLI and docker-compose
 * agree on this convention.
 */
export function defaultSubgraphUrls(host: string, portBase: number): Record<string, string> {
  return Object.fromEntries(SUBGRAPH_NAMES.map((name, index) => [name, `http://${host}:${portBase + index}/graphql`]));
}

/** Parses `user=http://user:4001/graphql,team=http://team:4002/graphql`; throws on a malformed entry. */
export function parseSubgraphUrls(text: string | undefined): Record<string, string> {
  const urls: Record<string, string> = {};
  if (!text) return urls;
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const separator = entry.indexOf('=');
    const name = entry.slice(0, separator).trim();
    const url = entry.slice(separator + 1).trim();
    if (separator <= 0 || !(SUBGRAPH_NAMES as readonly string[]).includes(name)) {
      throw new Error(`"${entry}" is not <subgraph>=<url> with subgraph one of ${SUBGRAPH_NAMES.join(', ')}`);
    }
    const protocol = URL.canParse(url) ? new URL(url).protocol : '';
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`"${url}" is not an http(s) URL`);
    urls[name] = url;
  }
  return urls;
}
