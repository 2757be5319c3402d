/** A platform registry client for tests: loopback host, quiet log, timers too slow to interfere. */
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '@stream-seat/platform';
import pino from 'pino';

type Required = Pick<RegistryClientOptions, 'registryUrls' | 'app' | 'port'>;

export function testRegistryClient(options: Required & Partial<RegistryClientOptions>): RegistryClient {
  return createRegistryClient({
    instanceId: `127.0.0.1:${options.app.toLowerCase()}:${options.port}`,
    host: '127.0.0.1',
    renewSeconds: 3600,
    leaseSeconds: 7200,
    fetchSeconds: 3600,
    log: pino({ level: 'silent' }),
    ...options,
  });
}
