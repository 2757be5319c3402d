/** A client's address as the gateway's limits count it. */
import { isIPv6 } from 'node:net';

/**
 * Who a request's address counts as, for the cap on streams and the anonymous rate limit: an
 * IPv4 address (IPv4-mapped IPv6 included) alone, an IPv6 address by its /64 — one subscriber's
 * network, whose addresses a client can rotate through at will.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}
