/**
 * The Eureka REST API, under `/eureka` (Spring) and `/eureka/v2` (Netflix): register, renew,
 * cancel, fetch (full, delta, one app, one instance, VIPs), status overrides and metadata. Client
 * calls are replicated to peers; calls marked as replication are not replicated again.
 */
import { queryInteger } from '@stream-seat/contracts';
import type { App } from '@stream-seat/platform';
import { BadRequest, InvalidField, NotFound } from '@stream-seat/platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decodeInstance, encodeApplication, encodeApplications, encodeInstance } from '../domain/eureka-json.js';
import { checkMetadataKey, checkXmlText, InvalidInstance, InvalidInstanceField, MAX_INSTANCE_ID_LENGTH } from '../domain/instance-fields.js';
import { type InstanceStatus, isInstanceStatus } from '../domain/instance.js';
import type { Registry } from '../domain/registry.js';
import { REPLICATION_HEADER, type PeerReplicator } from '../peers/peer-replicator.js';
import { createResponseCache, negotiate, sendDocument, sendEncoded } from './eureka-reply.js';
import { checkVipClaims } from './registry-auth.js';

export const EUREKA_PREFIXES = ['/eureka', '/eureka/v2'] as const;

const appParams = z.object({ app: z.string().min(1).max(200) });
const instanceParams = appParams.extend({ id: z.string().min(1).max(MAX_INSTANCE_ID_LENGTH) });
const renewQuery = z.object({
  status: z.string().optional(),
  lastDirtyTimestamp: queryInteger(0, Number.MAX_SAFE_INTEGER).optional(),
  overriddenstatus: z.string().optional(),
});
const statusQuery = z.object({ value: z.string().optional(), lastDirtyTimestamp: queryInteger(0, Number.MAX_SAFE_INTEGER).optional() });

export interface EurekaRouteDeps {
  registry: Registry;
  replicator: Pick<PeerReplicator, 'register' | 'heartbeat' | 'cancel' | 'statusUpdate' | 'deleteStatusOverride' | 'metadata'>;
  clock: () => number;
  /** How long an encoded full registry may be served again (Eureka's response cache: 30 s). */
  responseCacheMs: number;
}

const isReplication = (request: FastifyRequest) => String(request.headers[REPLICATION_HEADER] ?? '').toLowerCase() === 'true';

function statusParam(value: string | undefined, required: boolean): InstanceStatus | undefined {
  if (value === undefined || value === '') {
    if (required) throw new InvalidField('value', 'a status is required (UP, DOWN, STARTING, OUT_OF_SERVICE, UNKNOWN)');
    return undefined;
  }
  const status = value.toUpperCase();
  if (!isInstanceStatus(status)) throw new InvalidField('value', `unknown status ${value}`);
  return status;
}

const notFound = (app: string, id: string) => new NotFound(`Instance ${id} of ${app}`);

/**
 * `?key=value&...` of a metadata call, the last value of a repeated key winning. Read from the URL
 * itself: a parsed query object cannot hold a `__proto__` key as data (assigning it sets the
 * prototype instead, so `?__proto__=x` arrived as "no metadata"), and such a key could not be
 * replicated either (peers refuse JSON carrying `__proto__`), so it is refused by name. Keys and
 * values follow the register body's rules (checkMetadataKey, checkXmlText): every entry is served
 * back as an XML element. A bad one is a 400 naming its key, and nothing is changed.
 */
function metadataEntries(url: string): Record<string, string> {
  // (A query that does not decode — `%FF`, which URLSearchParams would take for U+FFFD and serve
  // back as the value — is refused before any route: createService.)
  const entries = Object.fromEntries(new URL(url, 'http://registry').searchParams);
  try {
    for (const [key, value] of Object.entries(entries)) {
      // Named as the platform names query fields (`querystring.limit`); an empty key, the query.
      const field = key ? `querystring.${key}` : 'querystring';
      checkMetadataKey(key, field);
      checkXmlText(value, field);
    }
  } catch (error) {
    refuseAsBadInput(error);
  }
  return entries;
}

/** The registry's refusals of what a client sent, as the API's 400s: the field named, or Eureka's own message. */
function refuseAsBadInput(error: unknown): never {
  if (error instanceof InvalidInstanceField) throw new InvalidField(error.field, error.problem);
  if (error instanceof InvalidInstance) throw new BadRequest(error.message);
  throw error;
}

export function registerEurekaRoutes(app: App, deps: EurekaRouteDeps): void {
  const { registry, replicator, clock } = deps;
  const cache = createResponseCache(deps.responseCacheMs, clock);
  // OpenAPI lists each route once, under `/eureka`; its `/eureka/v2` twin is the same route.
  const doc = (prefix: string, summary: string, description?: string) =>
    prefix === EUREKA_PREFIXES[0] ? { summary, tags: ['eureka'], ...(description ? { description } : {}) } : { hide: true };

  for (const prefix of EUREKA_PREFIXES) {
    const registerDoc = doc(prefix, 'Register an instance', 'Body: `{"instance": {...}}` in JSON, or `<instance>` in XML, at most 64 KB (413 beyond). 204; 400 with Eureka’s message for what Eureka checks (`Missing hostname`, ...), or naming the field for a value the registry could not serve back (`instance.port`: 1–65535, `instance.ipAddr`: an IP address or host name, `instance.leaseInfo.renewalIntervalInSecs`: whole seconds, `instance.metadata.<key>`: keys are XML names, values single strings without control characters; lease settings above 3600 s are capped).');
    app.post(`${prefix}/apps/:app`, { schema: { ...registerDoc, params: appParams } }, async (request, reply) => {
      let instance;
      try {
        instance = decodeInstance(request.body, request.params.app, clock());
      } catch (error) {
        refuseAsBadInput(error);
      }
      checkVipClaims(request, instance, registry);
      registry.register(instance);
      if (!isReplication(request)) replicator.register(instance);
      return reply.code(204).send();
    });

    app.put(
      `${prefix}/apps/:app/:id`,
      { schema: { ...doc(prefix, 'Renew a lease', '200; 404 for an unknown instance (the client registers again); 409 with the registry’s newer copy to a replicating peer.'), params: instanceParams, querystring: renewQuery } },
      async (request, reply) => {
        const { app: name, id } = request.params;
        const replication = isReplication(request);
        const result = registry.renew(name, id, request.query.lastDirtyTimestamp, replication);
        if (result.kind === 'unknown') throw notFound(name, id);
        if (result.kind === 'client-newer') throw notFound(name, `${id} as of lastDirtyTimestamp ${request.query.lastDirtyTimestamp}`);
        if (result.kind === 'conflict') return sendDocument(request, reply, { instance: encodeInstance(result.instance) }, 409);
        if (!replication) {
          const instance = registry.instance(name, id);
          if (instance) replicator.heartbeat(instance);
        }
        return reply.code(200).send();
      },
    );

    app.delete(`${prefix}/apps/:app/:id`, { schema: { ...doc(prefix, 'Cancel a lease (deregister)'), params: instanceParams } }, async (request, reply) => {
      const { app: name, id } = request.params;
      if (!registry.cancel(name, id)) throw notFound(name, id);
      if (!isReplication(request)) replicator.cancel(name, id);
      return reply.code(200).send();
    });

    app.put(
      `${prefix}/apps/:app/:id/status`,
      { schema: { ...doc(prefix, 'Override the status of an instance', '`?value=UP|DOWN|STARTING|OUT_OF_SERVICE|UNKNOWN`'), params: instanceParams, querystring: statusQuery } },
      async (request, reply) => {
        const { app: name, id } = request.params;
        const status = statusParam(request.query.value, true) as InstanceStatus;
        const instance = registry.setStatusOverride(name, id, status, request.query.lastDirtyTimestamp);
        if (!instance) throw notFound(name, id);
        if (!isReplication(request)) replicator.statusUpdate(instance, status);
        return reply.code(200).send();
      },
    );

    app.delete(
      `${prefix}/apps/:app/:id/status`,
      { schema: { ...doc(prefix, 'Remove a status override', 'The status becomes `value` (default UNKNOWN) until the next renewal.'), params: instanceParams, querystring: statusQuery } },
      async (request, reply) => {
        const { app: name, id } = request.params;
        const status = statusParam(request.query.value, false);
        if (!registry.deleteStatusOverride(name, id, status)) throw notFound(name, id);
        if (!isReplication(request)) replicator.deleteStatusOverride(name, id, status);
        return reply.code(200).send();
      },
    );

    app.put(
      `${prefix}/apps/:app/:id/metadata`,
      { schema: { ...doc(prefix, 'Set metadata of an instance', '`?key=value&...`: keys are XML names (a letter or `_`, then letters, digits, `.`, `_`, `-`; at most 200), values without control characters; otherwise 400 naming the key, and nothing is changed.'), params: instanceParams, querystring: z.record(z.string(), z.union([z.string(), z.array(z.string())])) } },
      async (request, reply) => {
        const { app: name, id } = request.params;
        const entries = metadataEntries(request.url);
        if (Object.keys(entries).length === 0) throw new BadRequest('No metadata given: use ?key=value');
        if (!registry.updateMetadata(name, id, entries)) throw notFound(name, id);
        if (!isReplication(request)) replicator.metadata(name, id, entries);
        return reply.code(200).send();
      },
    );

    app.get(`${prefix}/apps`, { schema: doc(prefix, 'The whole registry', '`{"applications": {...}}` in JSON when Accept mentions json, XML otherwise; gzip when asked.') }, async (request, reply) =>
      sendEncoded(
        reply,
        await cache.get('apps', registry.version(), negotiate(request), () =>
          encodeApplications(registry.applications(), registry.version(), registry.hashcode()),
        ),
      ),
    );

    app.get(`${prefix}/apps/delta`, { schema: doc(prefix, 'Changes of the last few minutes (delta)') }, async (request, reply) =>
      sendEncoded(
        reply,
        await cache.get('delta', registry.version(), negotiate(request), () =>
          encodeApplications(registry.delta(), registry.version(), registry.hashcode()),
        ),
      ),
    );

    app.get(`${prefix}/apps/:app`, { schema: { ...doc(prefix, 'One application with its instances'), params: appParams } }, async (request, reply) => {
      const instances = registry.application(request.params.app);
      if (!instances) throw new NotFound(`Application ${request.params.app}`);
      return sendDocument(request, reply, { application: encodeApplication({ name: request.params.app.toUpperCase(), instances }) });
    });

    app.get(`${prefix}/apps/:app/:id`, { schema: { ...doc(prefix, 'One instance of an application'), params: instanceParams } }, async (request, reply) => {
      const instance = registry.instance(request.params.app, request.params.id);
      if (!instance) throw notFound(request.params.app, request.params.id);
      return sendDocument(request, reply, { instance: encodeInstance(instance) });
    });

    app.get(`${prefix}/instances/:id`, { schema: { ...doc(prefix, 'One instance, by id'), params: z.object({ id: z.string().min(1).max(MAX_INSTANCE_ID_LENGTH) }) } }, async (request, reply) => {
      const instance = registry.instanceById(request.params.id);
      if (!instance) throw new NotFound(`Instance ${request.params.id}`);
      return sendDocument(request, reply, { instance: encodeInstance(instance) });
    });

    for (const [segment, secure] of [['vips', false], ['svips', true]] as const) {
      app.get(`${prefix}/${segment}/:vip`, { schema: { ...doc(prefix, secure ? 'Instances by secure VIP address' : 'Instances by VIP address'), params: z.object({ vip: z.string().min(1).max(400) }) } }, async (request, reply) =>
        sendDocument(request, reply, encodeApplications(registry.byVip(request.params.vip, secure), registry.version(), registry.hashcode())),
      );
    }
  }
}
