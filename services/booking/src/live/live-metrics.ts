/** Prometheus metrics of the live availability stream. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createLiveMetrics(registry: Registry) {
  return {
    clients: new Gauge({
      name: 'availability_stream_clients',
      help: 'Connected Server-Sent Events clients',
      registers: [registry],
    }),
    eventsSent: new Counter({
      name: 'availability_stream_events_sent_total',
      help: 'Server-Sent Events written, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    drops: new Counter({
      name: 'availability_stream_drops_total',
      help: 'Clients disconnected by the server, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    repairs: new Counter({
      name: 'availability_stream_repaired_changes_total',
      help: 'Changes that were missing from the bus and were read back from the database',
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'availability_change_delivery_lag_seconds',
      help: 'From the commit of a seat change to its write to a client',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
export type LiveMetrics = ReturnType<typeof createLiveMetrics>;
