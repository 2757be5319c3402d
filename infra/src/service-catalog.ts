/** The four Stream-Seat services as the estate sees them: ports, registry names, sizes. */

export type ServiceName = 'discovery' | 'gateway' | 'event' | 'booking';

export interface ServiceSpec {
  readonly name: ServiceName;
  /** The port the service listens on, the same locally, in compose and on Fargate. */
  readonly port: number;
  /** The application name it registers under; discovery is the registry and registers nowhere. */
  readonly appName?: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  /** The MySQL database it owns, created by its own migrations at start-up. */
  readonly databaseName?: string;
  /**
   * Where its tasks run. The gateway, the one public entry, sits in the public subnets behind
   * the load balancer (its security group admits only the load balancer); the rest are private.
   */
  readonly subnets: 'public' | 'private';
}

export const SERVICES: Readonly<Record<ServiceName, ServiceSpec>> = {
  // One registry task: clients re-register on their next renewal after it restarts, and a
  // second replica would need peer addresses that Cloud Map's shared A record cannot give.
  discovery: { name: 'discovery', port: 8761, cpu: 256, memoryMiB: 512, desiredCount: 1, subnets: 'private' },
  gateway: { name: 'gateway', port: 8082, appName: 'API-GATEWAY', cpu: 512, memoryMiB: 1024, desiredCount: 2, subnets: 'public' },
  event: {
    name: 'event',
    port: 8081,
    appName: 'EVENT-SERVICE',
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 2,
    databaseName: 'stream_seat_events',
    subnets: 'private',
  },
  booking: {
    name: 'booking',
    port: 8080,
    appName: 'BOOKING-SERVICE',
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 2,
    databaseName: 'stream_seat_bookings',
    subnets: 'private',
  },
};

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** The ECR repository of a service's image; the delivery stack creates it, the app stack pulls from it. */
export function repositoryName(service: ServiceName): string {
  return `stream-seat/${service}`;
}

/** The Cloud Map name of the registry, and the URL every other service is given to find it. */
export const NAMESPACE = 'stream-seat.local';
export const REGISTRY_DNS_NAME = 'eureka';
export const EUREKA_URL = `http://${REGISTRY_DNS_NAME}.${NAMESPACE}:${SERVICES.discovery.port}/eureka`;
