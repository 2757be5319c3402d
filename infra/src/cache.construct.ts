/** ElastiCache Redis: the seat-change fan-out between booking tasks and the gateways' shared rate limits. */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { REDIS_PORT } from './security-groups.construct.js';

export interface CacheProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * Booking scales out on CPU, and a seat change committed on one task must reach browsers held
 * by another; without Redis each task would only fan out to its own subscribers.
 */
export class Cache extends Construct {
  /** `rediss://host:6379`: TLS in transit, as the replication group requires. */
  readonly url: string;
  /** The replication group's id; its nodes are `<id>-001`, `<id>-002`. */
  readonly replicationGroupId: string;
  readonly nodes: number;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'Stream-Seat cache subnets (isolated)',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    const group = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: 'Stream-Seat seat stream and rate limits',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: 'cache.t4g.micro',
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      port: REDIS_PORT,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [props.securityGroup.securityGroupId],
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      autoMinorVersionUpgrade: true,
      // A fixed window, as the database's (a random one could fall in an on-sale): after it.
      preferredMaintenanceWindow: 'tue:03:30-tue:04:30',
    });
    this.replicationGroupId = group.ref;
    this.nodes = group.numCacheClusters ?? 1;
    this.url = `rediss://${group.attrPrimaryEndPointAddress}:${REDIS_PORT}`;

    NagSuppressions.addResourceSuppressions(group, [
      { id: 'AwsSolutions-AEC5', reason: 'Redis keeps its standard port; only the booking and gateway security groups reach it.' },
      { id: 'AwsSolutions-AEC6', reason: 'It holds no durable data (transient pub/sub and rate-limit counters), sits in isolated subnets behind security groups and requires TLS; an AUTH token would have to travel inside REDIS_URL.' },
    ]);
  }
}
