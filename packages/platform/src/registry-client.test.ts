import { describe, expect, it } from 'vitest';
import { parseApplications } from './registry-client.js';
import { parseRegistryUrl } from './registry-endpoints.js';

describe('registry URLs', () => {
  it('takes credentials out of the URL into a basic Authorization header', () => {
    const endpoint = parseRegistryUrl('http://eureka:s3cr%40t@eureka.stream-seat.local:8761/eureka/');
    expect(endpoint.url).toBe('http://eureka.stream-seat.local:8761/eureka');
    expect(Buffer.from((endpoint.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()).toBe('eureka:s3cr@t');
  });

  it('sends no Authorization header for a URL without credentials', () => {
    expect(parseRegistryUrl('http://localhost:8761/eureka')).toEqual({ url: 'http://localhost:8761/eureka' });
    // A token with an unescaped '/' breaks the URL: the error says so without repeating the token.
    expect(() => parseRegistryUrl('http://eureka:to/ken@eureka:8761/eureka')).toThrow(/^registry URL http:\/\/\*\*\*@eureka:8761\/eureka is not a valid URL/);
    // One that starts with digits parses, as a port and a path: refused too, not sent to that host.
    expect(() => parseRegistryUrl('http://eureka:8761/tok@eureka:8761/eureka')).toThrow(/^registry URL http:\/\/\*\*\*@eureka:8761\/eureka is not a valid URL/);
    expect(() => parseRegistryUrl('http://user@org:8761/tok@eureka:8761/eureka')).toThrow(/^registry URL http:\/\/\*\*\*@eureka:8761\/eureka is not a valid URL/);
    // A backslash is a path separator in http URLs: `tok` would have become the host, and the token's rest its path.
    expect(() => parseRegistryUrl('https://tok\\en@eureka/eureka')).toThrow(/^registry URL https:\/\/\*\*\*@eureka\/eureka is not a valid URL/);
  });

  it('presents the registry token as a bearer token to a URL without credentials, and the URL\'s own credentials otherwise', () => {
    expect(parseRegistryUrl('http://eureka.stream-seat.local:8761/eureka', 'the-registry-token')).toEqual({
      url: 'http://eureka.stream-seat.local:8761/eureka',
      authorization: 'Bearer the-registry-token',
    });
    expect(parseRegistryUrl('http://eureka:other@peer:8761/eureka', 'the-registry-token').authorization).toBe(`Basic ${Buffer.from('eureka:other').toString('base64')}`);
  });
});

describe('parsing the registry', () => {
  it('reads Eureka’s shapes: one application or many, one instance or many, IPv6 hosts', () => {
    const apps = parseApplications({
      applications: {
        application: {
          name: 'event-service',
          instance: { instanceId: 'e1', ipAddr: 'fd00::5', status: 'UP', port: { $: '8081', '@enabled': 'true' } },
        },
      },
    });
    expect(apps.get('EVENT-SERVICE')).toEqual([
      { instanceId: 'e1', app: 'EVENT-SERVICE', host: 'fd00::5', port: 8081, status: 'UP', url: 'http://[fd00::5]:8081' },
    ]);
  });

  it('leaves out an instance whose address makes no URL (an IPv6 zone id from another registry)', () => {
    const unusable: string[] = [];
    const apps = parseApplications({
      applications: {
        application: {
          name: 'BOOKING-SERVICE',
          instance: [
            { instanceId: 'bad', ipAddr: 'fe80::1%eth0', status: 'UP', port: 8080 },
            { instanceId: 'spaced', ipAddr: 'booking host', status: 'UP', port: 8080 },
            { instanceId: 'good', ipAddr: '10.0.0.7', status: 'UP', port: 8080 },
          ],
        },
      },
    }, (instance) => unusable.push(instance.instanceId));
    expect(apps.get('BOOKING-SERVICE')?.map((i) => i.instanceId)).toEqual(['good']);
    expect(unusable).toEqual(['bad', 'spaced']);
  });
});
