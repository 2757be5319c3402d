import { describe, expect, it } from 'vitest';
import { clientAddressKey } from './client-address.js';

describe('who an address counts as', () => {
  it('an IPv4 address alone, also when mapped into IPv6', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('an IPv6 address by its /64, however it is written', () => {
    const key = '2001:db8:aa:1::/64';
    for (const ip of ['2001:db8:aa:1::1', '2001:0db8:00aa:0001:ffff:1:2:3', '2001:DB8:AA:1:0:0:0:9']) expect(clientAddressKey(ip), ip).toBe(key);
    expect(clientAddressKey('2001:db8:aa:2::1')).not.toBe(key);
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
  });
});
