/**
 * The registry URLs a client calls, each with its own connection pool. Credentials in a URL
 * (`http://user:TOKEN@eureka:8761/eureka`, as Spring writes them) leave the URL and travel as an
 * Authorization header; a URL without them gets the registry token, when one is given, as a bearer
 * token. After a failed call the endpoint's pool is dropped, so the next call opens
 * a new connection and resolves the host name again: a registry behind a DNS name
 * (`eureka.stream-seat.local` on Cloud Map) that comes back with a new IP is found without a restart.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { credentialsMisplaced, redactUrl } from './config.js';

export interface RegistryEndpoint {
  /** The base URL without credentials or trailing slash, e.g. `http://eureka:8761/eureka`. */
  url: string;
  /** `Basic ...` when the configured URL carried credentials, else `Bearer TOKEN` when a token is given. */
  authorization?: string;
}

/** Credentials in the URL win over the token: a URL may name a registry with a token of its own. */
export function parseRegistryUrl(raw: string, token?: string): RegistryEndpoint {
  const invalid = () => new Error(`registry URL ${redactUrl(raw)} is not a valid URL: percent-encode special characters of its credentials`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not the URL itself (Node's error carries it as `input`): it may hold a token, and this reaches the logs.
    throw invalid();
  }
  if (credentialsMisplaced(raw)) throw invalid();
  let authorization = token ? `Bearer ${token}` : undefined;
  if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const base = url.toString().replace(/\/+$/, '');
  return authorization ? { url: base, authorization } : { url: base };
}

export interface EndpointCallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  json?: unknown;
  timeoutMs: number;
}

export interface RegistryEndpointsOptions {
  /** Name resolution for the connections (tests fabricate DNS with it); default: the system's. */
  lookup?: LookupFunction;
  /** The registry token, presented as a bearer token to every URL without credentials. */
  token?: string | undefined;
}

export function createRegistryEndpoints(urls: string[], options: RegistryEndpointsOptions = {}) {
  const endpoints = urls.map((url) => parseRegistryUrl(url, options.token));
  const newAgent = () => new Agent(options.lookup ? { connect: { lookup: options.lookup } } : {});
  const agents = endpoints.map(newAgent);

  return {
    endpoints,
    /** One call to one endpoint; throws on a network error (after dropping the endpoint's connections). */
    async call(index: number, call: EndpointCallOptions): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
      const endpoint = endpoints[index] as RegistryEndpoint;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (endpoint.authorization) headers['authorization'] = endpoint.authorization;
      // No content-type without a body: some servers refuse an empty JSON body.
      if (call.json !== undefined) headers['content-type'] = 'application/json';
      try {
        const response = await request(endpoint.url + call.path, {
          method: call.method,
          headers,
          dispatcher: agents[index] as Agent,
          ...(call.json === undefined ? {} : { body: JSON.stringify(call.json) }),
          headersTimeout: call.timeoutMs,
          bodyTimeout: call.timeoutMs,
        });
        return { status: response.statusCode, text: await response.body.text(), headers: response.headers };
      } catch (error) {
        this.reset(index);
        throw error;
      }
    },
    /** Drops an endpoint's pooled connections: the next call connects (and resolves the name) afresh. */
    reset(index: number): void {
      const old = agents[index];
      agents[index] = newAgent();
      void old?.destroy().catch(() => undefined);
    },
    /** Closes every pooled connection; the endpoints stay usable (a later call connects again). */
    async close(): Promise<void> {
      const old = agents.splice(0, agents.length, ...endpoints.map(newAgent));
      await Promise.all(old.map((agent) => agent.close().catch(() => undefined)));
    },
  };
}
export type RegistryEndpoints = ReturnType<typeof createRegistryEndpoints>;
