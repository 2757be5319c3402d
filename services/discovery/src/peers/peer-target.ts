/**
 * A peer registry as configured (`http://user:token@host:8761/eureka`, or a bare DNS name such as
 * `eureka.stream-seat.local`): the base URL to call and the Authorization header to send, since
 * credentials never travel inside the URL itself.
 */
import { parseRegistryUrl } from '@stream-seat/platform';

export interface PeerTarget {
  /** `http://host:port/eureka`, without credentials or trailing slash. */
  base: string;
  /** The base with any password masked, for logs and the dashboard. */
  displayUrl: string;
  headers: Record<string, string>;
}

/** Reads a peer entry; a bare host name means `http://name:8761/eureka`. Credentials as every client reads them. */
export function peerTarget(entry: string, token?: string): PeerTarget {
  const withScheme = /^[a-z]+:\/\//i.test(entry) ? entry : `http://${entry.includes(':') ? entry : `${entry}:8761`}/eureka`;
  const { url, authorization } = parseRegistryUrl(withScheme, token);
  return { base: url, displayUrl: url, headers: authorization ? { authorization } : {} };
}
