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

/** What the limit watches for a stream's end: its response, and the connection under it. */
export interface Closable {
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

export interface ClientStreamLimit {
  /** Streams one client address may hold open at once. */
  readonly perClient: number;
  /**
   * Counts a stream for `client` until its response closes or its connection does, whichever
   * comes first; false, counting nothing, when the client already holds `perClient`.
   */
  tryOpen(client: string, connection: Closable, response: Closable): boolean;
}

export function createClientStreamLimit(options: { perClient: number; metrics: Registry }): ClientStreamLimit {
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

  return {
    perClient: options.perClient,
    tryOpen(client, connection, response) {
      const held = openPerClient.get(client) ?? 0;
      if (held >= options.perClient) {
        refused.inc();
        return false;
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
      return true;
    },
  };
}
