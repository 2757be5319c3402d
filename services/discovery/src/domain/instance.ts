/** A registered instance as the registry keeps it, in Eureka's vocabulary. */

export type InstanceStatus = 'UP' | 'DOWN' | 'STARTING' | 'OUT_OF_SERVICE' | 'UNKNOWN';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN'];

export type ActionType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface LeaseInfo {
  renewalIntervalInSecs: number;
  durationInSecs: number;
  registrationTimestamp: number;
  lastRenewalTimestamp: number;
  evictionTimestamp: number;
  serviceUpTimestamp: number;
}

export interface DataCenterInfo {
  '@class': string;
  name: string;
  /** AmazonInfo carries the EC2 metadata (instance-id, local-ipv4, ...). */
  metadata?: Record<string, string>;
}

export interface InstanceInfo {
  instanceId: string;
  app: string;
  appGroupName?: string;
  hostName: string;
  ipAddr: string;
  status: InstanceStatus;
  overriddenStatus: InstanceStatus;
  port: number;
  portEnabled: boolean;
  securePort: number;
  securePortEnabled: boolean;
  countryId: number;
  vipAddress: string;
  secureVipAddress: string;
  homePageUrl: string;
  statusPageUrl: string;
  healthCheckUrl: string;
  secureHealthCheckUrl?: string;
  dataCenterInfo: DataCenterInfo;
  metadata: Record<string, string>;
  leaseInfo: LeaseInfo;
  isCoordinatingDiscoveryServer: boolean;
  lastUpdatedTimestamp: number;
  lastDirtyTimestamp: number;
  actionType: ActionType;
}

export function isInstanceStatus(value: string): value is InstanceStatus {
  return (INSTANCE_STATUSES as readonly string[]).includes(value);
}
