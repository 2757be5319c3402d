/**
 * Eureka's payload codec, in the JSON shape its Jackson codec writes (`port: {"$", "@enabled"}`,
 * `dataCenterInfo` with `@class`, timestamps as strings). XML bodies are parsed into the same
 * shape (attributes as `@name`, text as `$`), so one decoder reads both.
 */
import { type DataCenterInfo, type InstanceInfo, type InstanceStatus, isInstanceStatus } from './instance.js';

const DEFAULT_DATA_CENTER_CLASS = 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo';
const EMPTY_MAP = { '@class': 'java.util.Collections$EmptyMap' };

/** A register body Eureka would refuse; the message is Eureka's own. */
export class InvalidInstance extends Error {}

export type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => {
  if (isObject(value)) return text(value['$']);
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  return s === '' ? undefined : s;
};

function portOf(value: unknown, fallback: number, enabledByDefault: boolean): { port: number; enabled: boolean } {
  if (isObject(value)) {
    const port = Number(text(value['$']) ?? fallback);
    const enabled = text(value['@enabled']);
    return { port, enabled: enabled === undefined ? enabledByDefault : enabled === 'true' };
  }
  return value === undefined ? { port: fallback, enabled: false } : { port: Number(value), enabled: true };
}

export function statusOf(value: unknown, fallback: InstanceStatus = 'UP'): InstanceStatus {
  const status = (text(value) ?? fallback).toUpperCase();
  return isInstanceStatus(status) ? status : 'UNKNOWN';
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== '@class')
      .map(([k, v]) => [k, text(v) ?? '']),
  );
}

function dataCenterOf(value: Json): DataCenterInfo {
  const metadata = stringMap(value['metadata']);
  return {
    '@class': text(value['@class']) ?? DEFAULT_DATA_CENTER_CLASS,
    name: text(value['name']) ?? 'MyOwn',
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/** Reads a register body (`{"instance": {...}}`), checking what Eureka's ApplicationResource checks, in its order. */
export function decodeInstance(body: unknown, appFromPath: string, now: number): InstanceInfo {
  const raw = isObject(body) ? body['instance'] : undefined;
  if (!isObject(raw)) throw new InvalidInstance('Missing instance');
  const hostName = text(raw['hostName']);
  const dc = isObject(raw['dataCenterInfo']) ? raw['dataCenterInfo'] : undefined;
  const amazonId = dc && text(dc['name']) === 'Amazon' && isObject(dc['metadata']) ? text(dc['metadata']['instance-id']) : undefined;
  // InstanceInfo.getId(): the instanceId, else the EC2 instance id, else the host name.
  const instanceId = text(raw['instanceId']) ?? amazonId ?? hostName;
  const ipAddr = text(raw['ipAddr']);
  const app = text(raw['app']);
  if (!instanceId) throw new InvalidInstance('Missing instanceId');
  if (!hostName) throw new InvalidInstance('Missing hostname');
  if (!ipAddr) throw new InvalidInstance('Missing ip address');
  if (!app) throw new InvalidInstance('Missing appName');
  if (app.toUpperCase() !== appFromPath.toUpperCase()) {
    throw new InvalidInstance(`Mismatched appName, expecting ${appFromPath} but was ${app}`);
  }
  if (!dc) throw new InvalidInstance('Missing dataCenterInfo');
  if (!text(dc['name'])) throw new InvalidInstance('Missing dataCenterInfo Name');
  const port = portOf(raw['port'], 7001, true);
  const securePort = portOf(raw['securePort'], 7002, false);
  const lease = isObject(raw['leaseInfo']) ? raw['leaseInfo'] : {};
  const positive = (v: unknown, fallback: number) => {
    const n = Number(text(v) ?? fallback);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  const optional = (key: string) => {
    const v = text(raw[key]);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    instanceId,
    app: app.toUpperCase(),
    ...optional('appGroupName'),
    hostName,
    ipAddr,
    status: statusOf(raw['status']),
    overriddenStatus: statusOf(raw['overriddenStatus'] ?? raw['overriddenstatus'], 'UNKNOWN'),
    port: port.port,
    portEnabled: port.enabled,
    securePort: securePort.port,
    securePortEnabled: securePort.enabled,
    countryId: positive(raw['countryId'], 1),
    vipAddress: text(raw['vipAddress']) ?? app.toLowerCase(),
    secureVipAddress: text(raw['secureVipAddress']) ?? app.toLowerCase(),
    homePageUrl: text(raw['homePageUrl']) ?? '',
    statusPageUrl: text(raw['statusPageUrl']) ?? '',
    healthCheckUrl: text(raw['healthCheckUrl']) ?? '',
    ...optional('secureHealthCheckUrl'),
    dataCenterInfo: dataCenterOf(dc),
    metadata: stringMap(raw['metadata']),
    leaseInfo: {
      renewalIntervalInSecs: positive(lease['renewalIntervalInSecs'], 30),
      durationInSecs: positive(lease['durationInSecs'], 90),
      registrationTimestamp: now,
      lastRenewalTimestamp: now,
      evictionTimestamp: 0,
      serviceUpTimestamp: 0,
    },
    isCoordinatingDiscoveryServer: text(raw['isCoordinatingDiscoveryServer']) === 'true',
    lastUpdatedTimestamp: now,
    lastDirtyTimestamp: positive(raw['lastDirtyTimestamp'], now),
    actionType: 'ADDED',
  };
}

/** One instance, field by field in the order and types of Eureka's InstanceInfo serializer. */
export function encodeInstance(i: InstanceInfo): Json {
  const out: Json = { instanceId: i.instanceId, hostName: i.hostName, app: i.app };
  if (i.appGroupName) out['appGroupName'] = i.appGroupName;
  Object.assign(out, {
    ipAddr: i.ipAddr,
    status: i.status,
    overriddenStatus: i.overriddenStatus,
    port: { $: i.port, '@enabled': String(i.portEnabled) },
    securePort: { $: i.securePort, '@enabled': String(i.securePortEnabled) },
    countryId: i.countryId,
    dataCenterInfo: i.dataCenterInfo,
    leaseInfo: { ...i.leaseInfo },
    metadata: Object.keys(i.metadata).length > 0 ? i.metadata : EMPTY_MAP,
  });
  if (i.homePageUrl) out['homePageUrl'] = i.homePageUrl;
  if (i.statusPageUrl) out['statusPageUrl'] = i.statusPageUrl;
  if (i.healthCheckUrl) out['healthCheckUrl'] = i.healthCheckUrl;
  if (i.secureHealthCheckUrl) out['secureHealthCheckUrl'] = i.secureHealthCheckUrl;
  Object.assign(out, {
    vipAddress: i.vipAddress,
    secureVipAddress: i.secureVipAddress,
    isCoordinatingDiscoveryServer: String(i.isCoordinatingDiscoveryServer),
    lastUpdatedTimestamp: String(i.lastUpdatedTimestamp),
    lastDirtyTimestamp: String(i.lastDirtyTimestamp),
    actionType: i.actionType,
  });
  return out;
}

/** `DOWN_1_UP_3_`: status counts sorted by status, which clients compare after applying a delta. */
export function appsHashcode(instances: Iterable<InstanceInfo>): string {
  const counts = new Map<string, number>();
  for (const i of instances) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([status, n]) => `${status}_${n}_`)
    .join('');
}

export interface ApplicationView {
  name: string;
  instances: InstanceInfo[];
}

export function encodeApplication(app: ApplicationView): Json {
  return { name: app.name, instance: app.instances.map(encodeInstance) };
}

/** The `{"applications": ...}` document; applications without instances are left out, as Eureka does. */
export function encodeApplications(apps: ApplicationView[], versionDelta: number, hashcode: string): Json {
  return {
    applications: {
      versions__delta: String(versionDelta),
      apps__hashcode: hashcode,
      application: apps.filter((a) => a.instances.length > 0).map(encodeApplication),
    },
  };
}
