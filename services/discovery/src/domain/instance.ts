/** A registered instance as the registry keeps it, in Eureka's vocabulary. */

export type InstanceStatus = 'UP' | 'DOWN' | 'STARTING' | 'OUT_OF_SERVICE' | 'UNKNOWN';

export interface LeaseInfo {
  renewalIntervalInSecs: number;
  durationInSecs: number;
  registrationTimestamp: number;
  lastRenewalTimestamp: number;
  evictionTimestamp: number;
  serviceUpTimestamp: number;
}

export interface InstanceInfo {
  instanceId: string;
  app: string;
  hostName: string;
  ipAddr: string;
  status: InstanceStatus;
  overriddenStatus: InstanceStatus;
  port: number;
  portEnabled: boolean;
  securePort: number;
  securePortEnabled: boolean;
  vipAddress: string;
  secureVipAddress: string;
  homePageUrl: string;
  statusPageUrl: string;
  healthCheckUrl: string;
  dataCenterInfo: { '@class': string; name: string };
  metadata: Record<string, string>;
  leaseInfo: LeaseInfo;
  isCoordinatingDiscoveryServer: boolean;
  lastUpdatedTimestamp: number;
  lastDirtyTimestamp: number;
  actionType: 'ADDED' | 'MODIFIED' | 'DELETED';
}
