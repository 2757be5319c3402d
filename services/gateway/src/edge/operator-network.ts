/**
 * The operations endpoints (`/health`, `/ready`, `/metrics`, `/gateway/routes`) are for the
 * operator's network — the load balancer's health check, a scraper in the VPC — not for the
 * internet: the route table lists private task addresses and circuit states, the metrics the
 * runtime's versions. Behind a load balancer that network is what `TRUST_PROXY` names (the VPC),
 * so a caller the gateway resolves (`request.ip`) to an address outside it gets a 404. Decided on
 * the route the router matched, so `/metrics/`, `/%6detrics` and the like are the same route.
 * Without a list (`false`: nothing in front; `true`: every forwarded address believed, so any
 * caller could name an inside one) the endpoints stay open, as in local use.
 */
import { BlockList, isIPv4 } from 'node:net';

/** proxy-addr's names for address ranges, which fastify's trustProxy also takes. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `trustProxy` as fastify takes it; undefined when it names no network (the endpoints stay open). */
export function operatorNetwork(trustProxy: boolean | string): ((ip: string) => boolean) | undefined {
  if (typeof trustProxy !== 'string') return undefined;
  const entries = trustProxy
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((entry) => NAMED_RANGES[entry] ?? [entry]);
  if (entries.length === 0) return undefined;
  const inside = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) inside.addAddress(address, type);
    else inside.addSubnet(address, Number(prefix), type);
  }
  return (ip) => inside.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}
