/**
 * Eureka's payload codec, in the JSON shape its Jackson codec writes (`port: {"$", "@enabled"}`,
 * `dataCenterInfo` with `@class`, timestamps as strings). XML bodies are parsed into the same
 * shape (attributes as `@name`, text as `$`), so one decoder reads both.
 */
import { type DataCenterInfo, type InstanceInfo, type InstanceStatus, isInstanceStatus } from './instance.js';
import {
  checkIpAddr,
  InvalidInstance,
  InvalidInstanceField,
  isObject,
  JAVA_INT_MAX,
  leaseSeconds,
  MAX_INSTANCE_ID_LENGTH,
  metadataMap,
  portField,
  single,
  stringField,
  wholeNumber,
} from './instance-fields.js';

const DEFAULT_DATA_CENTER_CLASS = 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo';
const EMPTY_MAP = { '@class': 'java.util.Collections$EmptyMap' };

export type Json = Record<string, unknown>;

export function statusOf(value: unknown, field: string, fallback: InstanceStatus = 'UP'): InstanceStatus {
  const status = (single(value, field) ?? fallback).toUpperCase();
  return isInstanceStatus(status) ? status : 'UNKNOWN';
}

function dataCenterOf(value: Json): DataCenterInfo {
  const metadata = metadataMap(value['metadata'], 'instance.dataCenterInfo.metadata');
  return {
    '@class': single(value['@class'], 'instance.dataCenterInfo.@class') ?? DEFAULT_DATA_CENTER_CLASS,
    name: single(value['name'], 'instance.dataCenterInfo.name') ?? 'MyOwn',
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/**
 * Reads a register body (`{"instance": {...}}`), checking what Eureka's ApplicationResource checks,
 * in its order and with its messages; then what Eureka leaves unchecked but the registry could not
 * serve (ports, address, lease, numbers Java reads as int or long, metadata keys XML cannot name,
 * control characters XML cannot carry), naming the field.
 */
export function decodeInstance(body: unknown, appFromPath: string, now: number): InstanceInfo {
  const raw = isObject(body) ? body['instance'] : undefined;
  if (!isObject(raw)) throw new InvalidInstance('Missing instance');
  const field = (key: string) => `instance.${key}`;
  const text = (key: string) => single(raw[key], field(key));
  const hostName = stringField(raw['hostName'], field('hostName'));
  const dc = isObject(raw['dataCenterInfo']) ? raw['dataCenterInfo'] : undefined;
  const amazonId =
    dc && single(dc['name'], field('dataCenterInfo.name')) === 'Amazon' && isObject(dc['metadata'])
      ? stringField(dc['metadata']['instance-id'], field('dataCenterInfo.metadata.instance-id'))
      : undefined;
  // InstanceInfo.getId(): the instanceId, else the EC2 instance id, else the host name.
  const instanceId = stringField(raw['instanceId'], field('instanceId')) ?? amazonId ?? hostName;
  const ipAddr = stringField(raw['ipAddr'], field('ipAddr'));
  const app = stringField(raw['app'], field('app'));
  if (!instanceId) throw new InvalidInstance('Missing instanceId');
  if (!hostName) throw new InvalidInstance('Missing hostname');
  if (!ipAddr) throw new InvalidInstance('Missing ip address');
  if (!app) throw new InvalidInstance('Missing appName');
  if (app.toUpperCase() !== appFromPath.toUpperCase()) {
    throw new InvalidInstance(`Mismatched appName, expecting ${appFromPath} but was ${app}`);
  }
  // The id is part of every later call's URL (renew, cancel, status): one longer than those routes
  // take would be registered and then neither renewable nor removable.
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH) {
    const source = raw['instanceId'] !== undefined && raw['instanceId'] !== null ? 'instanceId' : amazonId ? 'dataCenterInfo.metadata.instance-id' : 'hostName';
    throw new InvalidInstanceField(field(source), `must be at most ${MAX_INSTANCE_ID_LENGTH} characters: it is the instance's id, part of its URL`);
  }
  if (!dc) throw new InvalidInstance('Missing dataCenterInfo');
  if (!single(dc['name'], field('dataCenterInfo.name'))) throw new InvalidInstance('Missing dataCenterInfo Name');
  checkIpAddr(ipAddr, field('ipAddr'));
  const port = portField(raw['port'], field('port'), 7001, true);
  const securePort = portField(raw['securePort'], field('securePort'), 7002, false);
  const lease = isObject(raw['leaseInfo']) ? raw['leaseInfo'] : {};
  const optional = (key: string) => {
    const v = text(key);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    instanceId,
    app: app.toUpperCase(),
    ...optional('appGroupName'),
    hostName,
    ipAddr,
    status: statusOf(raw['status'], field('status')),
    overriddenStatus: statusOf(raw['overriddenStatus'] ?? raw['overriddenstatus'], field('overriddenStatus'), 'UNKNOWN'),
    port: port.port,
    portEnabled: port.enabled,
    securePort: securePort.port,
    securePortEnabled: securePort.enabled,
    countryId: wholeNumber(raw['countryId'], field('countryId'), JAVA_INT_MAX) || 1,
    vipAddress: text('vipAddress') ?? app.toLowerCase(),
    secureVipAddress: text('secureVipAddress') ?? app.toLowerCase(),
    homePageUrl: text('homePageUrl') ?? '',
    statusPageUrl: text('statusPageUrl') ?? '',
    healthCheckUrl: text('healthCheckUrl') ?? '',
    ...optional('secureHealthCheckUrl'),
    dataCenterInfo: dataCenterOf(dc),
    metadata: metadataMap(raw['metadata'], field('metadata')),
    leaseInfo: {
      // A renewal interval longer than the lease is kept as sent (as Eureka does): the threshold
      // then expects the renewals the instance really sends, and its lease simply lapses between them.
      renewalIntervalInSecs: leaseSeconds(lease['renewalIntervalInSecs'], field('leaseInfo.renewalIntervalInSecs'), 30),
      durationInSecs: leaseSeconds(lease['durationInSecs'], field('leaseInfo.durationInSecs'), 90),
      registrationTimestamp: now,
      lastRenewalTimestamp: now,
      evictionTimestamp: 0,
      serviceUpTimestamp: 0,
    },
    isCoordinatingDiscoveryServer: text('isCoordinatingDiscoveryServer') === 'true',
    lastUpdatedTimestamp: now,
    lastDirtyTimestamp: wholeNumber(raw['lastDirtyTimestamp'], field('lastDirtyTimestamp'), Number.MAX_SAFE_INTEGER) || now,
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
