/**
 * Which headers of a message go on past the gateway: a client's request to the upstream, and the
 * upstream's answer to the client. Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection,
 * not the message: they are dropped, with every header its `Connection` names. Forwarded, some of
 * a client's also made undici refuse the request (`Expect`, `Keep-Alive`, a bare `Upgrade`), which
 * the gateway took for a failing instance: a dozen anonymous requests opened the circuit of a
 * healthy booking instance. An answer's had reached the client (an internal header named in its
 * `Connection` with them).
 */
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect', // the gateway's server answers `100-continue` itself
  'http2-settings',
]);

/**
 * Said of a request by the proxies it came through. The gateway sets X-Forwarded-For, -Host and
 * -Proto itself; these others, from a client, would pass as the gateway's word.
 */
const SET_BY_PROXIES = new Set(['forwarded', 'x-real-ip', 'x-forwarded-port', 'x-forwarded-prefix', 'x-forwarded-server']);

/** The proxy sets these on the forwarded request (framing, body type), whatever `Connection` names. */
const SET_BY_PROXY = new Set(['host', 'content-length', 'content-type']);

export function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const connection = headers.connection ?? '';
  const named = new Set(
    connection
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token && !SET_BY_PROXY.has(token)),
  );
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && !named.has(name) && !SET_BY_PROXIES.has(name)) kept[name] = value;
  }
  return kept;
}

/**
 * undici's codes for a request it will not send as given (a header or argument it refuses): the
 * request's fault, never the instance's — a 400, not counted against its circuit.
 */
const REFUSED_BY_CLIENT = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

export function isRefusedByClient(code: string | undefined): boolean {
  return code !== undefined && REFUSED_BY_CLIENT.has(code);
}

/**
 * The `Vary` of an answer the gateway passes on: the gateway's own (CORS's `Origin`, set before the
 * request went out) and the service's (`Accept-Encoding` on a seat map) together, each once.
 * Copying the service's over the gateway's dropped `Origin`, and let a shared cache hand one
 * origin's `Access-Control-Allow-Origin` to another.
 */
export function mergedVary(gateway: unknown, upstream: unknown): string | undefined {
  const tokens = new Map<string, string>();
  for (const value of [gateway, upstream].flat()) {
    if (typeof value !== 'string') continue;
    for (const token of value.split(',')) {
      const name = token.trim();
      if (name && !tokens.has(name.toLowerCase())) tokens.set(name.toLowerCase(), name);
    }
  }
  if (tokens.has('*')) return '*';
  return tokens.size > 0 ? [...tokens.values()].join(', ') : undefined;
}
