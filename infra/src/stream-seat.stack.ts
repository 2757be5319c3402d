/** The production estate: network, registry, services, database, cache, load balancer, bastion. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { Alarms } from './alarms.construct.js';
import { Bastion } from './bastion.construct.js';
import { Cache } from './cache.construct.js';
import { Database } from './database.construct.js';
import { DatabaseUsers } from './database-users.construct.js';
import { LoadBalancer, publicPorts } from './load-balancer.construct.js';
import { Network, VPC_CIDR, VPC_PREFIX } from './network.construct.js';
import { createPlatformSecrets, registryTokenVariable } from './platform-secrets.js';
import { SecurityGroups } from './security-groups.construct.js';
import { EUREKA_URL, NAMESPACE, REGISTRY_DNS_NAME, SERVICES, repositoryName, type ServiceName } from './service-catalog.js';
import { FargateAppService } from './service.construct.js';

/** How often every registry client refreshes its copy of the registry (the platform default is 30). */
export const REGISTRY_FETCH_SECONDS = 10;
/** Lease renewals of every client; a lease lasts three of them. */
export const REGISTRY_RENEW_SECONDS = 10;
/** Each MySQL pool's size, per task (see the connection count where it is set). */
export const DB_POOL_SIZE = 5;
/** One registry fetch interval, plus margin for a fetch in flight. */
export const SHUTDOWN_GRACE_MS = REGISTRY_FETCH_SECONDS * 1000 + 2000;
/** How long in-flight requests (and SSE streams) may drain once the listener closes. */
export const SHUTDOWN_TIMEOUT_MS = 20_000;

export interface StreamSeatStackProps extends StackProps {
  /** The image tag every service runs: the commit SHA the release workflow pushed. */
  readonly imageTag: string;
  readonly natGateways?: number;
  readonly certificateArn?: string;
  /** Verify tokens against an identity provider (AUTH_MODE=jwks) instead of a shared secret. */
  readonly jwt?: {
    readonly jwksUrl: string;
    /** Required: only this issuer's tokens are accepted. */
    readonly issuer: string;
    /** Set whenever the provider's access tokens carry an `aud` (Cognito's carry none). */
    readonly audience?: string;
    /** The web app's (public) client id at the issuer: the gateway's WEB_OIDC_CLIENT_ID. */
    readonly webClientId?: string;
    /** More origins the web app calls to sign in (the gateway's WEB_CONNECT_ORIGINS). */
    readonly webConnectOrigins?: string;
  };
  /** Bump to replace the services' database secrets (new passwords); see DatabaseUsers. */
  readonly databaseUserGeneration?: number;
  /** Where the alarms are sent (an email subscription to their topic). */
  readonly alarmEmail?: string;
  /** False: deployments are not rolled back on the gateway's 5xx alarms (to ship a fix while one fires). */
  readonly deploymentAlarms?: boolean;
}

export class StreamSeatStack extends Stack {
  readonly network: Network;
  readonly securityGroups: SecurityGroups;
  readonly cluster: ecs.Cluster;
  readonly database: Database;
  readonly databaseUsers: DatabaseUsers<'event' | 'booking'>;
  readonly cache: Cache;
  readonly bastion: Bastion;
  readonly loadBalancer: LoadBalancer;
  readonly services: Record<ServiceName, FargateAppService>;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: StreamSeatStackProps) {
    super(scope, id, props);
    this.network = new Network(this, 'Network', props.natGateways === undefined ? {} : { natGateways: props.natGateways });
    const { vpc } = this.network;
    const sg = new SecurityGroups(this, 'SecurityGroups', { vpc, publicPorts: publicPorts(props.certificateArn) });
    this.securityGroups = sg;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: 'stream-seat',
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: NAMESPACE, type: servicediscovery.NamespaceType.DNS_PRIVATE, vpc },
    });

    this.database = new Database(this, 'Database', { vpc, securityGroup: sg.database });
    // Each service logs in as its own user, with rights on its own database only; the master
    // secret serves the provisioning step and the humans at the bastion, no task.
    this.databaseUsers = new DatabaseUsers(this, 'DatabaseUsers', {
      vpc,
      securityGroup: sg.databaseUsers,
      databaseSecurityGroup: sg.database,
      instance: this.database.instance,
      masterSecret: this.database.secret,
      users: {
        event: { username: 'event_svc', database: requireDatabase('event') },
        booking: { username: 'booking_svc', database: requireDatabase('booking') },
      },
      requireTls: true,
      ...(props.databaseUserGeneration === undefined ? {} : { generation: props.databaseUserGeneration }),
    });
    this.cache = new Cache(this, 'Cache', { vpc, securityGroup: sg.cache });
    this.bastion = new Bastion(this, 'Bastion', { vpc, securityGroup: sg.bastion });

    const common: Record<string, string> = {
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      // Advertise the task's VPC address, never the link-local 169.254.x metadata interface.
      PREFERRED_NETWORKS: VPC_PREFIX,
      // A stopping task deregisters, then keeps serving while its callers still hold it: those that
      // find it in the registry until their next fetch, the registry's own clients until Cloud
      // Map's DNS TTL lapses (both 10 s). Only then does it close its listener and drain.
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    };
    const client = {
      ...common,
      EUREKA_URL,
      EUREKA_FETCH_SECONDS: String(REGISTRY_FETCH_SECONDS),
      // A task that dies without deregistering (killed, its host gone) leaves the registry after
      // its lease and one eviction pass: 30 s + 60 s, not 90 s + 60 s of requests sent to nothing.
      EUREKA_RENEW_SECONDS: String(REGISTRY_RENEW_SECONDS),
      EUREKA_LEASE_SECONDS: String(3 * REGISTRY_RENEW_SECONDS),
      ...this.authEnvironment(props),
    };
    const secrets = createPlatformSecrets(this, props.jwt !== undefined);
    const clientSecrets = secrets.auth;
    const dbSecret = (name: 'event' | 'booking') => ecs.Secret.fromSecretsManager(this.databaseUsers.secrets[name]);
    // Connections: a booking task opens two pools of DB_POOL_SIZE (queries; the claims' scripts),
    // an event task one. At 5, six booking tasks doubled during a deploy (12 × 10) and four event
    // tasks (4 × 5) open 140, under the database's max_connections (170, set in database.construct.ts); at the default 10,
    // 280 were refused "Too many connections" at peak.
    const database = (name: string) => ({ DATABASE_NAME: name, DATABASE_TLS: 'rds', DATABASE_REQUIRED: 'mysql', DB_POOL_SIZE: String(DB_POOL_SIZE) });

    const image = (name: ServiceName) =>
      ecs.ContainerImage.fromEcrRepository(
        ecr.Repository.fromRepositoryName(this, `${name}Repository`, repositoryName(name)),
        props.imageTag,
      );

    this.services = {
      discovery: new FargateAppService(this, 'Discovery', {
        cluster: this.cluster,
        spec: SERVICES.discovery,
        image: image('discovery'),
        securityGroup: sg.discovery,
        environment: {
          ...common,
          // ECS is the health authority here: it replaces a task that dies. With self-preservation
          // on, losing two of six clients at once (an AZ, OOM kills) left fewer renewals than the
          // threshold, no lease ever expired, and once ECS had replaced them the expected count
          // grew with the new registrations: the dead stayed listed for good (a review).
          SELF_PRESERVATION: 'false',
        },
        secrets: {
          REGISTRY_TOKEN: secrets.registryToken,
          // Each app's, by the registry's name for it (`<APP>_REGISTRY_TOKEN`).
          ...Object.fromEntries(
            (['event', 'booking', 'gateway'] as const).map((name) => [registryTokenVariable(SERVICES[name].appName as string), secrets.appRegistryTokens[name]]),
          ),
        },
        cloudMapName: REGISTRY_DNS_NAME,
      }),
      event: new FargateAppService(this, 'Event', {
        cluster: this.cluster,
        spec: SERVICES.event,
        image: image('event'),
        securityGroup: sg.event,
        environment: { ...client, ...database(requireDatabase('event')) },
        secrets: { ...clientSecrets, REGISTRY_TOKEN: secrets.appRegistryTokens.event, DB_SECRET: dbSecret('event'), SERVICE_TOKEN: secrets.serviceToken },
      }),
      booking: new FargateAppService(this, 'Booking', {
        cluster: this.cluster,
        spec: SERVICES.booking,
        image: image('booking'),
        securityGroup: sg.booking,
        environment: { ...client, ...database(requireDatabase('booking')), REDIS_URL: this.cache.clients.booking.url },
        secrets: {
          ...clientSecrets,
          REGISTRY_TOKEN: secrets.appRegistryTokens.booking,
          DB_SECRET: dbSecret('booking'),
          SERVICE_TOKEN: secrets.serviceToken,
          REDIS_PASSWORD: this.cache.clients.booking.password,
        },
        autoscaling: { minCapacity: SERVICES.booking.desiredCount, maxCapacity: 6, targetCpuPercent: 60, targetMemoryPercent: 70 },
      }),
      gateway: new FargateAppService(this, 'Gateway', {
        cluster: this.cluster,
        spec: SERVICES.gateway,
        image: image('gateway'),
        securityGroup: sg.gateway,
        // Behind the ALB: trust X-Forwarded-For from inside the VPC, so that limits and logs see callers.
        environment: {
          ...client,
          REDIS_URL: this.cache.clients.gateway.url,
          TRUST_PROXY: VPC_CIDR,
          // Nobody finds a gateway through the registry: the load balancer stops sending to a task
          // (its deregistration delay) before ECS sends SIGTERM, so a grace would only add 12 s
          // of serving no one to every task a deploy or a scale-in stops.
          SHUTDOWN_GRACE_MS: '0',
          ...(props.jwt?.webClientId ? { WEB_OIDC_CLIENT_ID: props.jwt.webClientId } : {}),
          ...(props.jwt?.webConnectOrigins ? { WEB_CONNECT_ORIGINS: props.jwt.webConnectOrigins } : {}),
        },
        secrets: { ...clientSecrets, REGISTRY_TOKEN: secrets.appRegistryTokens.gateway, REDIS_PASSWORD: this.cache.clients.gateway.password },
        autoscaling: { minCapacity: SERVICES.gateway.desiredCount, maxCapacity: 6, targetCpuPercent: 60, targetMemoryPercent: 70 },
      }),
    };
    // Clients start after the registry exists, so their first registration does not fail on DNS.
    for (const name of ['event', 'booking', 'gateway'] as const) {
      this.services[name].service.node.addDependency(this.services.discovery.service);
    }
    // Nor do event and booking start before their MySQL users exist.
    for (const name of ['event', 'booking'] as const) this.services[name].service.node.addDependency(this.databaseUsers.resource);

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      vpc,
      securityGroup: sg.alb,
      gateway: this.services.gateway.service,
      gatewayPort: SERVICES.gateway.port,
      ...(props.certificateArn ? { certificateArn: props.certificateArn } : {}),
    });

    this.alarms = new Alarms(this, 'Alarms', {
      loadBalancer: this.loadBalancer.alb,
      gatewayTargets: this.loadBalancer.gatewayTargets,
      database: this.database.instance,
      cache: { replicationGroupId: this.cache.replicationGroupId, nodes: this.cache.nodes },
      clusterName: this.cluster.clusterName,
      // The autoscaled services' minimum is their desired count (see their autoscaling).
      services: Object.fromEntries(
        Object.entries(this.services).map(([name, s]) => [name, { service: s.service, minimumTasks: SERVICES[name as ServiceName].desiredCount }]),
      ) as Record<ServiceName, { service: ecs.FargateService; minimumTasks: number }>,
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
      rollbackOnAlarms: props.deploymentAlarms ?? true,
    });

    const scheme = props.certificateArn ? 'https' : 'http';
    new CfnOutput(this, 'Url', { value: `${scheme}://${this.loadBalancer.alb.loadBalancerDnsName}` });
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'ServiceNames', {
      value: Object.values(this.services).map((s) => s.service.serviceName).join(' '),
    });
    new CfnOutput(this, 'BastionInstanceId', { value: this.bastion.host.instanceId });
    new CfnOutput(this, 'DatabaseEndpoint', { value: this.database.instance.dbInstanceEndpointAddress });
    // The master secret, for humans at the bastion; the services' own secrets follow.
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.database.secret.secretArn });
    new CfnOutput(this, 'EventDatabaseSecretArn', { value: this.databaseUsers.secrets.event.secretArn });
    new CfnOutput(this, 'BookingDatabaseSecretArn', { value: this.databaseUsers.secrets.booking.secretArn });
  }

  private authEnvironment(props: StreamSeatStackProps): Record<string, string> {
    if (!props.jwt) return { AUTH_MODE: 'dev' };
    return {
      AUTH_MODE: 'jwks',
      JWT_JWKS_URL: props.jwt.jwksUrl,
      JWT_ISSUER: props.jwt.issuer,
      ...(props.jwt.audience ? { JWT_AUDIENCE: props.jwt.audience } : {}),
    };
  }
}

function requireDatabase(name: ServiceName): string {
  const databaseName = SERVICES[name].databaseName;
  if (!databaseName) throw new Error(`${name} owns no database`);
  return databaseName;
}
