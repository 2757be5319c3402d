/**
 * A cap on the live streams (SSE) one client address holds open at this gateway at once. Rate
 * limits count requests, and a stream is one request that stays open for hours: without a cap,
 * one address could hold thousands of the gateway's sockets (and, relaying each stream on its
 * own, as many of booking's).
 *
 * Keyed on the address alone, as the gateway sees it (`request.ip`: TRUST_PROXY decides whose
 * X-Forwarded-For counts), never on a token: the stream needs none, a browser's EventSource
 * cannot send one, and a caller who could would open each stream with another token.
 *
 * Counted in memory, per gateway instance, even when Redis shares the rate limits: what the cap
 * protects — the socket, its buffers, its upstream connection — belongs to the instance holding
 * the stream for its whole life, and a count in Redis would outlive a gateway that crashed with
 * its streams open. Behind N gateways a client may hold up to N times the cap in all.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** A carrier's or a campus's NAT puts many buyers behind one IPv4 address. */
export const DEFAULT_STREAMS_PER_CLIENT = 256;
/**
 * Streams one gateway holds open in all (MAX_CLIENT_STREAMS). Idle streams cost memory, not CPU
 * (a booking stream about 12 KB in the fanout bench; the gateway's is not measured): 20,000 are
 * meant to fit a 1 GiB task with room, where scaling on CPU (or on the
 * tasks' average memory, which new tasks bring down while the old ones keep their streams) would
 * let one task run out. Past it a stream is a 503 the browser retries; a retry may land on
 * another task.
 */
export const DEFAULT_MAX_CLIENT_STREAMS = 20_000;

/** Why a stream was refused: its client holds its cap, or this gateway holds its own. */
export type StreamRefusal = 'client' | 'gateway';

/** What the limit watches for a stream's end: its response, and the connection under it. */
export interface Closable {
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

export interface ClientStreamLimit {
  /** Streams one client address may hold open at once. */
  readonly perClient: number;
  /** Streams this gateway holds open at once, all clients together. */
  readonly perGateway: number;
  /**
   * Counts a stream for `client` until its response closes or its connection does, whichever
   * comes first (undefined); or, counting nothing, why not: the client already holds
   * `perClient`, or the gateway `perGateway`.
   */
  tryOpen(client: string, connection: Closable, response: Closable): StreamRefusal | undefined;
}

export function createClientStreamLimit(options: { perClient: number; perGateway?: number; metrics: Registry }): ClientStreamLimit {
  const perGateway = options.perGateway ?? DEFAULT_MAX_CLIENT_STREAMS;
  const openPerClient = new Map<string, number>();
  let open = 0;
  new Gauge({
    name: 'gateway_stream_clients',
    help: 'Live streams open to clients (shared or relayed), each counted against its address (STREAMS_PER_CLIENT)',
    registers: [options.metrics],
    collect() {
      this.set(open);
    },
  });
  const refused = new Counter({
    name: 'gateway_stream_refused_total',
    help: 'Live streams refused (429) because their client address already held STREAMS_PER_CLIENT',
    registers: [options.metrics],
  });

  const full = new Counter({
    name: 'gateway_streams_full_total',
    help: 'Live streams refused (503) because this gateway already held MAX_CLIENT_STREAMS',
    registers: [options.metrics],
  });

  return {
    perClient: options.perClient,
    perGateway,
    tryOpen(client, connection, response) {
      const held = openPerClient.get(client) ?? 0;
      if (held >= options.perClient) {
        refused.inc();
        return 'client';
      }
      if (open >= perGateway) {
        full.inc();
        return 'gateway';
      }
      openPerClient.set(client, held + 1);
      open++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        connection.off('close', release);
        response.off('close', release);
        open--;
        const left = (openPerClient.get(client) ?? 1) - 1;
        if (left > 0) openPerClient.set(client, left);
        else openPerClient.delete(client);
      };
      // The response's close covers its end on a connection kept alive; the connection's covers a
      // response queued behind another on it (HTTP/1.1 pipelining), which never emits its own.
      response.once('close', release);
      connection.once('close', release);
      // Gone before it got here: neither will emit again.
      if (connection.destroyed || response.destroyed) release();
      return undefined;
    },
  };
}
