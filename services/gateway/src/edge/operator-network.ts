/**
 * The operations endpoints (`/health`, `/started`, `/ready`, `/metrics`, `/gateway/routes`) are for the
 * operator's network — the load balancer's health check, a scraper in the VPC — not for the
 * internet: the route table lists private task addresses and circuit states, the metrics the
 * runtime's versions. Behind a load balancer that network is what `TRUST_PROXY` names (the VPC),
 * so a caller the gateway resolves (`request.ip`) to an address outside it gets a 404. Decided on
 * the route the router matched, so `/metrics/`, `/%6detrics` and the like are the same route.
 * Without a list (`false`: nothing in front; `true`: every forwarded address believed, so any
 * caller could name an inside one) the endpoints stay open, as in local use. This host itself is
 * always inside: the container's own health check calls 127.0.0.1, and no outside caller resolves
 * to loopback (the load balancer appends the real address, and the first untrusted hop counts) —
 * unless a proxy on this host forwards outside traffic: list it (`loopback`), so that its callers
 * resolve to their own addresses.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

/** proxy-addr's names for address ranges, which fastify's trustProxy also takes. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * One entry of the list: an address or a CIDR with a prefix length of 1 or more — what fastify's
 * proxy-addr reads too (a netmask, `/0` or an empty entry would crash its start instead).
 */
function addEntry(inside: BlockList, entry: string): void {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const length = prefix === undefined ? bits : /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (family === 0 || extra !== undefined || !(length >= 1 && length <= bits)) {
    throw new Error(`"${entry}" is not an IP address, a CIDR such as 10.0.0.0/16, or one of loopback, linklocal, uniquelocal (or, as the whole value, true or false)`);
  }
  inside.addSubnet(address, length, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * `trustProxy` as fastify takes it; undefined when it names no network (the endpoints stay open).
 * Throws for an entry it cannot read (the gateway's configuration check names TRUST_PROXY then).
 */
export function operatorNetwork(trustProxy: boolean | string): ((ip: string) => boolean) | undefined {
  if (typeof trustProxy !== 'string') return undefined;
  const entries = trustProxy
    .split(',')
    .map((entry) => entry.trim())
    .flatMap((entry) => NAMED_RANGES[entry] ?? [entry]);
  const inside = new BlockList();
  for (const entry of [...entries, ...(NAMED_RANGES['loopback'] ?? [])]) addEntry(inside, entry);
  return (ip) => inside.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
}
