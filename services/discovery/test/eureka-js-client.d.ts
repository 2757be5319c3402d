/** The part of the npm package `eureka-js-client` (CommonJS, no types of its own) that the tests drive. */
declare module 'eureka-js-client' {
  import type { EventEmitter } from 'node:events';

  interface EurekaInstance {
    app: string;
    hostName: string;
    ipAddr: string;
    status?: string;
    port?: { $: number; '@enabled': boolean | string };
    [key: string]: unknown;
  }

  interface EurekaConfig {
    instance: Record<string, unknown>;
    eureka: Record<string, unknown>;
    shouldUseDelta?: boolean;
    logger?: { debug(...a: unknown[]): void; info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };
    requestMiddleware?: (options: Record<string, unknown>, done: (options: Record<string, unknown>) => void) => void;
  }

  export class Eureka extends EventEmitter {
    constructor(config: EurekaConfig);
    start(callback?: (error?: Error) => void): void;
    stop(callback?: (error?: Error) => void): void;
    renew(): void;
    fetchRegistry(callback?: (error?: Error | null) => void): void;
    fetchDelta(callback?: (error?: Error | null) => void): void;
    getInstancesByAppId(appId: string): EurekaInstance[];
    getInstancesByVipAddress(vip: string): EurekaInstance[];
  }
}
