/** Eureka's JSON codec: instances and applications in the shapes Eureka clients parse. */
import type { InstanceInfo, InstanceStatus } from './instance.js';

const STATUSES: InstanceStatus[] = ['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN'];
const DEFAULT_DATA_CENTER = { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' };

export class InvalidInstance extends Error {}

type Json = Record<string, unknown>;

function portOf(value: unknown, fallback: number): { port: number; enabled: boolean } {
  if (value && typeof value === 'object') {
    const v = value as Json;
    return { port: Number(v['$'] ?? fallback), enabled: String(v['@enabled'] ?? 'true') === 'true' };
  }
  return value === undefined ? { port: fallback, enabled: false } : { port: Number(value), enabled: true };
}

function statusOf(value: unknown): InstanceStatus {
  const status = String(value ?? 'UP').toUpperCase() as InstanceStatus;
  return STATUSES.includes(status) ? status : 'UNKNOWN';
}

/** Reads a register body (`{"instance": {...}}`); throws InvalidInstance with Eureka's message. */
export function decodeInstance(body: unknown, appFromPath: string, now: number): InstanceInfo {
  const raw = (body as Json | undefined)?.['instance'] as Json | undefined;
  if (!raw || typeof raw !== 'object') throw new InvalidInstance('Missing instance');
  const hostName = raw['hostName'];
  const ipAddr = raw['ipAddr'];
  const app = raw['app'];
  if (typeof hostName !== 'string' || !hostName) throw new InvalidInstance('Missing hostname');
  if (typeof ipAddr !== 'string' || !ipAddr) throw new InvalidInstance('Missing ip address');
  if (typeof app !== 'string' || !app) throw new InvalidInstance('Missing appName');
  if (app.toUpperCase() !== appFromPath.toUpperCase()) throw new InvalidInstance('Mismatched appName, expecting ' + appFromPath + ' but was ' + app);
  if (!raw['dataCenterInfo']) throw new InvalidInstance('Missing dataCenterInfo');
  const instanceId = typeof raw['instanceId'] === 'string' && raw['instanceId'] ? raw['instanceId'] : hostName;
  const port = portOf(raw['port'], 7001);
  const securePort = portOf(raw['securePort'], 7002);
  const lease = (raw['leaseInfo'] as Json | undefined) ?? {};
  const status = statusOf(raw['status']);
  const dc = raw['dataCenterInfo'] as Json;
  return {
    instanceId,
    app: app.toUpperCase(),
    hostName,
    ipAddr,
    status,
    overriddenStatus: statusOf(raw['overriddenStatus'] ?? raw['overriddenstatus'] ?? 'UNKNOWN'),
    port: port.port,
    portEnabled: port.enabled,
    securePort: securePort.port,
    securePortEnabled: securePort.enabled,
    vipAddress: String(raw['vipAddress'] ?? app.toLowerCase()),
    secureVipAddress: String(raw['secureVipAddress'] ?? app.toLowerCase()),
    homePageUrl: String(raw['homePageUrl'] ?? ''),
    statusPageUrl: String(raw['statusPageUrl'] ?? ''),
    healthCheckUrl: String(raw['healthCheckUrl'] ?? ''),
    dataCenterInfo: {
      '@class': String(dc['@class'] ?? DEFAULT_DATA_CENTER['@class']),
      name: String(dc['name'] ?? 'MyOwn'),
    },
    metadata: Object.fromEntries(
      Object.entries((raw['metadata'] as Json | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    leaseInfo: {
      renewalIntervalInSecs: Number(lease['renewalIntervalInSecs'] ?? 30),
      durationInSecs: Number(lease['durationInSecs'] ?? 90),
      registrationTimestamp: now,
      lastRenewalTimestamp: now,
      evictionTimestamp: 0,
      serviceUpTimestamp: 0,
    },
    isCoordinatingDiscoveryServer: false,
    lastUpdatedTimestamp: now,
    lastDirtyTimestamp: Number(raw['lastDirtyTimestamp'] ?? now),
    actionType: 'ADDED',
  };
}

/** One instance as Eureka's JSON codec writes it: ports as `{"$", "@enabled"}`, times as strings. */
export function encodeInstance(i: InstanceInfo): Json {
  return {
    instanceId: i.instanceId,
    hostName: i.hostName,
    app: i.app,
    ipAddr: i.ipAddr,
    status: i.status,
    overriddenStatus: i.overriddenStatus,
    port: { $: i.port, '@enabled': String(i.portEnabled) },
    securePort: { $: i.securePort, '@enabled': String(i.securePortEnabled) },
    countryId: 1,
    dataCenterInfo: i.dataCenterInfo,
    leaseInfo: { ...i.leaseInfo },
    metadata: Object.keys(i.metadata).length > 0 ? i.metadata : { '@class': 'java.util.Collections$EmptyMap' },
    homePageUrl: i.homePageUrl,
    statusPageUrl: i.statusPageUrl,
    healthCheckUrl: i.healthCheckUrl,
    vipAddress: i.vipAddress,
    secureVipAddress: i.secureVipAddress,
    isCoordinatingDiscoveryServer: String(i.isCoordinatingDiscoveryServer),
    lastUpdatedTimestamp: String(i.lastUpdatedTimestamp),
    lastDirtyTimestamp: String(i.lastDirtyTimestamp),
    actionType: i.actionType,
  };
}

/** `UP_3_DOWN_1_`-style hash of status counts, which clients compare after a delta. */
export function appsHashcode(instances: InstanceInfo[]): string {
  const counts = new Map<string, number>();
  for (const i of instances) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}_${n}_`)
    .join('');
}

export function encodeApplication(name: string, instances: InstanceInfo[]): Json {
  return { name, instance: instances.map(encodeInstance) };
}

export function encodeApplications(apps: Array<{ name: string; instances: InstanceInfo[] }>, version: number): Json {
  const nonEmpty = apps.filter((a) => a.instances.length > 0);
  return {
    applications: {
      versions__delta: String(version),
      apps__hashcode: appsHashcode(nonEmpty.flatMap((a) => a.instances)),
      application: nonEmpty.map((a) => encodeApplication(a.name, a.instances)),
    },
  };
}
