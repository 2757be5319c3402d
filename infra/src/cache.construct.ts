/** ElastiCache Redis: the seat-change fan-out between booking tasks and the gateways' shared rate limits. */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { REDIS_ACCESS, type RedisClientName } from './redis-access.js';
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
  /**
   * Each service's `rediss://user@host:6379` (REDIS_URL: TLS in transit, as the replication group
   * requires) and its user's password (REDIS_PASSWORD).
   */
  readonly clients: Record<RedisClientName, { url: string; password: ecs.Secret }>;
  /** The replication group's id; its nodes are `<id>-001`, `<id>-002`. */
  readonly replicationGroupId: string;
  readonly nodes: number;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'Stream-Seat cache subnets (isolated)',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    // RBAC: a user per service with its password in Secrets Manager, and the default user (which
    // ElastiCache requires in every user group) switched off — no connection without a user.
    const users = ([['booking', 'Booking'], ['gateway', 'Gateway']] as const).map(([name, id]) => {
      const secret = new secretsmanager.Secret(this, `${id}Password`, {
        secretName: `stream-seat/redis-${name}`,
        description: `Redis password of the ${name} service's ACL user`,
        // Redis takes 16 to 128 printable characters; letters and digits need no escaping anywhere.
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
      NagSuppressions.addResourceSuppressions(secret, [{ id: 'AwsSolutions-SMG4', reason: 'Rotated by hand, as the README says: the user given the old and the new password, the service redeployed, then the new one alone.' }]);
      const user = new elasticache.CfnUser(this, `${id}User`, {
        engine: 'redis',
        userId: `stream-seat-${name}`,
        userName: name,
        accessString: REDIS_ACCESS[name],
        passwords: [secret.secretValue.unsafeUnwrap()],
      });
      return { name, secret, user };
    });
    const defaultUser = new elasticache.CfnUser(this, 'DefaultUser', {
      engine: 'redis',
      userId: 'stream-seat-default-off',
      userName: 'default',
      accessString: 'off -@all',
      noPasswordRequired: true,
    });
    const userGroup = new elasticache.CfnUserGroup(this, 'Users', {
      engine: 'redis',
      userGroupId: 'stream-seat-services',
      userIds: [defaultUser.ref, ...users.map(({ user }) => user.ref)],
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
      userGroupIds: [userGroup.ref],
      autoMinorVersionUpgrade: true,
      // A fixed window, as the database's (a random one could fall in an on-sale): after it.
      preferredMaintenanceWindow: 'tue:03:30-tue:04:30',
    });
    this.replicationGroupId = group.ref;
    this.nodes = group.numCacheClusters ?? 1;
    const client = (name: RedisClientName) => {
      const made = users.find((u) => u.name === name) as (typeof users)[number];
      return { url: `rediss://${name}@${group.attrPrimaryEndPointAddress}:${REDIS_PORT}`, password: ecs.Secret.fromSecretsManager(made.secret) };
    };
    this.clients = { booking: client('booking'), gateway: client('gateway') };

    NagSuppressions.addResourceSuppressions(group, [
      { id: 'AwsSolutions-AEC5', reason: 'Redis keeps its standard port; only the booking and gateway security groups reach it.' },
      { id: 'AwsSolutions-AEC6', reason: 'Clients authenticate as ACL users (RBAC: userGroupIds, a user per service, the default user off); the rule looks for the older cluster-wide AUTH token only.' },
    ]);
  }
}
