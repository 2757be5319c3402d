/**
 * The gateway's shared live streams: one EventStreamChannel per stream path (one per watched
 * event), opened when its first client arrives and closed when its last one leaves. A request
 * the channels cannot serve exactly is answered `false`, and the proxy relays it on its own
 * upstream connection as before.
 */
import { type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { eventStreamCoding, type InstanceAddress } from '@stream-seat/platform';
import type { FastifyReply, FastifyRequest, RawServerBase, RouteGenericInterface } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Agent, request as undiciRequest } from 'undici';
import { EventStreamChannel, type UpstreamStream } from './event-stream-channel.js';
import { responseSocket } from './event-stream-relay.js';
import { splitTarget } from './proxy-answers.js';

export interface FanoutSettings {
  ringSize: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
  /** An upstream silent this long is taken for dead: three of the service's heartbeats. */
  upstreamIdleMs: number;
  connectTimeoutMs: number;
  /** Time for an upstream's response headers. */
  headersTimeoutMs: number;
  reconnectDelaysMs?: number[];
}

export interface FanoutDeps extends FanoutSettings {
  /** The instances to try, best first (UP, circuit closed). */
  candidates(appName: string): InstanceAddress[];
  metrics: Registry;
  log: { warn(object: object, message: string): void };
}

export interface EventStreamFanout {
  /** Serves the request from a shared channel; false when it must be relayed on its own. */
  serve(request: FastifyRequest, reply: FastifyReply<RouteGenericInterface, RawServerBase>, appName: string): Promise<boolean>;
  close(): Promise<void>;
}

const RESUME_ID = /^\d{1,15}$/;

/**
 * One spelling per path: each segment decoded and encoded again, no trailing slash. The service
 * decodes the path, so `/api/availability/%65v1/stream` is event `ev1`'s stream: keyed as sent,
 * 200 spellings of one id had opened 200 channels and 200 upstream streams, each with its own
 * snapshot (a hostile probe: 70 MB for a 119 KB snapshot). Undefined when a segment does not decode.
 */
export function canonicalStreamPath(path: string): string | undefined {
  try {
    return path
      .replace(/\/+$/, '')
      .split('/')
      .map((segment) => encodeURIComponent(decodeURIComponent(segment)))
      .join('/');
  } catch {
    return undefined;
  }
}

export function createEventStreamFanout(deps: FanoutDeps): EventStreamFanout {
  const channels = new Map<string, EventStreamChannel>();
  const agent = new Agent({ connect: { timeout: deps.connectTimeoutMs }, headersTimeout: deps.headersTimeoutMs, bodyTimeout: 0 });
  const metrics = {
    channels: new Gauge({ name: 'gateway_stream_channels', help: 'Shared upstream live streams open', registers: [deps.metrics], collect() { this.set(channels.size); } }),
    clients: new Gauge({
      name: 'gateway_stream_shared_clients',
      help: 'Clients served from shared upstream live streams',
      registers: [deps.metrics],
      collect() {
        let n = 0;
        for (const channel of channels.values()) n += channel.size;
        this.set(n);
      },
    }),
    drops: new Counter({ name: 'gateway_stream_drops_total', help: 'Shared-stream clients disconnected by the gateway', labelNames: ['reason'], registers: [deps.metrics] }),
    reconnects: new Counter({ name: 'gateway_stream_upstream_reconnects_total', help: 'Shared streams reopened after their upstream broke', registers: [deps.metrics] }),
  };

  /** The service's stream from the first instance that answers it with an event stream. */
  async function openUpstream(appName: string, path: string, lastEventId: number | undefined, avoid?: string): Promise<UpstreamStream> {
    let failure: unknown = new Error(`no instance of ${appName} to stream from`);
    const candidates = deps.candidates(appName);
    const ordered = avoid === undefined ? candidates : [...candidates.filter((i) => i.instanceId !== avoid), ...candidates.filter((i) => i.instanceId === avoid)];
    for (const instance of ordered) {
      try {
        const response = await undiciRequest(instance.url + path, {
          dispatcher: agent,
          headers: { accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) },
        });
        const type = response.headers['content-type'];
        if (response.statusCode === 200 && typeof type === 'string' && type.startsWith('text/event-stream')) {
          // Letting go of the stream (destroy) makes undici raise an abort error on its body; the
          // channel learns of an end from 'close', and an error nobody listened for would end the
          // gateway's process — as the last client leaving during a snapshot refresh once did.
          response.body.on('error', () => undefined);
          return { body: response.body, close: () => response.body.destroy(), instance: instance.instanceId };
        }
        await response.body.dump();
        // Not an instance problem (an unknown event is a 404 everywhere): the client's own relay says so.
        failure = new Error(`${appName} answered ${response.statusCode}`);
        if (response.statusCode < 500) break;
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }

  /** The open channel of this path, or a new one — started from `resumeAfter` when given. */
  function channelFor(appName: string, path: string, resumeAfter: number | undefined): EventStreamChannel {
    let channel = channels.get(path);
    if (channel && !channel.isClosed) return channel;
    channel = new EventStreamChannel({
      openUpstream: (lastEventId, avoid) => openUpstream(appName, path, lastEventId, avoid),
      ringSize: deps.ringSize,
      maxBufferedBytes: deps.maxBufferedBytes,
      heartbeatMs: deps.heartbeatMs,
      upstreamIdleMs: deps.upstreamIdleMs,
      firstSnapshotTimeoutMs: Math.min(deps.headersTimeoutMs, 10_000),
      reconnectDelaysMs: deps.reconnectDelaysMs ?? [100, 250, 500, 1_000, 2_000, 2_000, 2_000, 2_000],
      onDrop: (reason) => metrics.drops.inc({ reason }),
      onReconnect: () => metrics.reconnects.inc(),
      onClosed: () => {
        if (channels.get(path) === channel) channels.delete(path);
      },
      log: deps.log,
    }, resumeAfter);
    channels.set(path, channel);
    return channel;
  }

  return {
    async serve(request, reply, appName) {
      if (request.method !== 'GET' || !(reply.raw instanceof ServerResponse)) return false;
      // A request pipelined behind another on its connection has no socket until that one is
      // answered, and a channel writes to sockets: it waits for its turn (it had been taken over
      // and never answered). Gone meanwhile, it needs no answer and opens nothing.
      if (!(await responseSocket(reply.raw, request.raw.socket))) {
        reply.hijack();
        return true;
      }
      const { path: sentPath, query } = splitTarget(request.url);
      const params = new URLSearchParams(query);
      // Only what the channel understands; anything else is the service's to answer.
      // (`lastEventId` given twice too: the service refuses it with a 400 naming the parameter.)
      if ([...params.keys()].some((k) => k !== 'lastEventId') || params.getAll('lastEventId').length > 1) return false;
      const header = request.headers['last-event-id'];
      const given = ((typeof header === 'string' ? header : undefined) ?? params.get('lastEventId') ?? '').trim();
      // Blank is none, as for the service: a fresh snapshot from the shared channel.
      const resume = given === '' ? undefined : given;
      if (resume !== undefined && !RESUME_ID.test(resume)) return false;
      const lastEventId = resume === undefined ? undefined : Number(resume);

      // Paths the proxy would refuse (`..`, encoded dots) are the proxy's to answer.
      if (/\.\.|%2e/i.test(sentPath)) return false;
      const path = canonicalStreamPath(sentPath);
      if (path === undefined) return false;
      // A resume with no channel open starts one from there (a restarted gateway's audience comes
      // back resuming); one that the open channel does not cover goes to the service.
      const channel = channelFor(appName, path, lastEventId);
      try {
        await channel.ready;
      } catch {
        return false;
      }
      // A browser gets the stream in gzip: each frame is deflated once for all the channel's clients.
      const coding = eventStreamCoding(request.headers['accept-encoding']);
      return channel.join(reply.raw, reply.getHeaders() as OutgoingHttpHeaders, coding, lastEventId, () => reply.hijack());
    },
    async close() {
      for (const channel of [...channels.values()]) channel.close();
      await agent.close();
    },
  };
}
