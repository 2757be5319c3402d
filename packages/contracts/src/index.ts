/** @stream-seat/contracts: zod schemas of the public API and of the messages between services. */
export * from './booking.js';
export * from './catalogue.js';
export * from './common.js';
export * from './limits.js';
export * from './web-app.js';
