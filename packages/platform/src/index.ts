/** @stream-seat/platform: the service defaults every Stream-Seat service is built from. */
export * from './auth.js';
export * from './config.js';
export * from './content-coding.js';
export * from './cursor.js';
export * from './errors.js';
export * from './health.js';
export * from './http-client.js';
export * from './logger.js';
export * from './metrics.js';
export { isRootCatchAll, pathMatcher } from './method-not-allowed.js';
export * from './network-address.js';
export * from './problem-handler.js';
export * from './registry-client.js';
export * from './registry-endpoints.js';
export * from './run-service.js';
export * from './service.js';
export * from './sse-frame.js';
export * from './tracing.js';
