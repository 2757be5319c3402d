// The production estate as synthesized: every property issue 8 asks of it, read off the template.
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KEEP_ALIVE_TIMEOUT_MS } from '@stream-seat/platform';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_THRESHOLDS } from '../src/alarms.construct.js';
import { REDIS_ACCESS } from '../src/redis-access.js';
import { nodeOptions } from '../src/service.construct.js';
import type { StreamSeatStack } from '../src/stream-seat.stack.js';
import { synthApp } from './synth.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
}

let stack: StreamSeatStack;
let template: Template;

beforeAll(() => {
  const { estate } = synthApp({ imageTag: 'abc123' });
  if (!estate) throw new Error('the estate stack was not synthesized');
  stack = estate;
  template = Template.fromStack(stack);
});

const resolve = (s: Stack, value: unknown): unknown => s.resolve(value);
const ofType = (type: string): Record<string, Resource> => template.findResources(type) as Record<string, Resource>;

function containerOf(name: string): Json {
  for (const task of Object.values(ofType('AWS::ECS::TaskDefinition'))) {
    const containers = task.Properties.ContainerDefinitions as Json[];
    const found = containers.find((c) => c.Name === name);
    if (found) return found;
  }
  throw new Error(`no container named ${name}`);
}

function taskDefinitionOf(name: string): Json {
  const entry = Object.values(ofType('AWS::ECS::TaskDefinition')).find((task) =>
    (task.Properties.ContainerDefinitions as Json[]).some((c) => c.Name === name),
  );
  if (!entry) throw new Error(`no task definition for ${name}`);
  return entry.Properties;
}

function environmentOf(name: string): Record<string, string> {
  const pairs = (containerOf(name).Environment ?? []) as { Name: string; Value: unknown }[];
  return Object.fromEntries(pairs.map((p) => [p.Name, typeof p.Value === 'string' ? p.Value : JSON.stringify(p.Value)]));
}

function ecsService(name: string): Json {
  const found = Object.values(ofType('AWS::ECS::Service')).find((s) => s.Properties.ServiceName === name);
  if (!found) throw new Error(`no ECS service ${name}`);
  return found.Properties;
}

describe('network', () => {
  it('is one VPC over two AZs with public, private-with-egress and isolated subnets', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const subnets = Object.values(ofType('AWS::EC2::Subnet'));
    const kinds = subnets.map((s) => (s.Properties.Tags as { Key: string; Value: string }[]).find((t) => t.Key === 'aws-cdk:subnet-type')?.Value);
    expect(kinds.sort()).toEqual(['Isolated', 'Isolated', 'Private', 'Private', 'Public', 'Public']);
    const azs = new Set(subnets.map((s) => JSON.stringify(s.Properties.AvailabilityZone)));
    expect(azs.size).toBe(2);
  });

  it('pulls S3 (ECR image layers) through a gateway endpoint on the private subnets, not the NAT gateway', () => {
    const endpoints = Object.values(ofType('AWS::EC2::VPCEndpoint'));
    const s3 = endpoints.filter((e) => JSON.stringify(e.Properties.ServiceName).includes('.s3'));
    expect(s3).toHaveLength(1);
    expect(s3[0]?.Properties.VpcEndpointType).toBe('Gateway');
    // Every private subnet's route table has the endpoint's route.
    const privateTables = Object.entries(ofType('AWS::EC2::RouteTable')).filter(([id]) => /private/i.test(id)).map(([id]) => id);
    expect(privateTables.length).toBeGreaterThan(0);
    const routed = JSON.stringify(s3[0]?.Properties.RouteTableIds);
    for (const table of privateTables) expect(routed).toContain(table);
  });

  it('strips the VPC\'s default security group of every rule (restrictDefaultSecurityGroup in cdk.json)', () => {
    const [vpcId] = Object.keys(ofType('AWS::EC2::VPC'));
    const defaultGroup = { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] };
    const restrictions = Object.values(ofType('Custom::VpcRestrictDefaultSG'));
    expect(restrictions).toHaveLength(1);
    expect(restrictions[0]?.Properties.DefaultSecurityGroupId).toEqual(defaultGroup);
    // Its function may change that group's rules, and no other group's.
    const provider = Object.values(ofType('AWS::IAM::Role')).find((r) => JSON.stringify(r.Properties.Policies ?? []).includes('ec2:RevokeSecurityGroupIngress'));
    const statements = ((provider?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Json[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements) expect(JSON.stringify(st.Resource)).toContain(JSON.stringify(defaultGroup));
  });

  it('records every flow of the VPC in CloudWatch Logs', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
  });
});

describe('cluster and registry', () => {
  it('runs an ECS cluster with Container Insights and the Cloud Map namespace stream-seat.local', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'stream-seat.local' });
  });

  it('registers only the discovery service in Cloud Map, as eureka (A record)', () => {
    const cloudMap = ofType('AWS::ServiceDiscovery::Service');
    expect(Object.values(cloudMap).map((s) => s.Properties.Name)).toEqual(['eureka']);
    const [logicalId] = Object.keys(cloudMap);
    expect(Object.values(cloudMap)[0]?.Properties.DnsConfig).toMatchObject({ DnsRecords: [{ Type: 'A', TTL: 10 }] });
    expect(ecsService('discovery').ServiceRegistries).toEqual([
      { RegistryArn: { 'Fn::GetAtt': [logicalId, 'Arn'] } },
    ]);
    for (const name of ['gateway', 'event', 'booking']) expect(ecsService(name).ServiceRegistries).toBeUndefined();
  });
});

describe('services', () => {
  const ports = { discovery: 8761, gateway: 8082, event: 8081, booking: 8080 } as const;

  it.each(Object.entries(ports))('%s runs on Fargate, X86_64 Linux, on port %i with a node fetch start-up health check', (name, port) => {
    const task = taskDefinitionOf(name);
    expect(task.RequiresCompatibilities).toEqual(['FARGATE']);
    expect(task.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
    const container = containerOf(name);
    expect(container.PortMappings).toEqual([expect.objectContaining({ ContainerPort: port, Protocol: 'tcp' })]);
    const health = container.HealthCheck as { Command: string[]; StartPeriod: number };
    expect(health.Command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    // Started (migrated, registered), not merely alive: a deploy keeps its old tasks until then.
    expect(health.Command[3]).toContain(`fetch('http://127.0.0.1:${port}/started')`);
    expect(health.StartPeriod).toBe(300);
    expect(environmentOf(name).PORT).toBe(String(port));
    expect(JSON.stringify(container.Image)).toContain(`stream-seat/${name}`);
    expect(JSON.stringify(container.Image)).toContain(':abc123');
  });

  it.each(Object.keys(ports))('%s runs on a read-only root filesystem with a writable /tmp of its task, every capability dropped', (name) => {
    const container = containerOf(name);
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.MountPoints).toEqual([{ SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }]);
    // A task volume without a host path or EFS: the task's ephemeral storage.
    expect(taskDefinitionOf(name).Volumes).toEqual([{ Name: 'tmp' }]);
    expect(container.LinuxParameters).toMatchObject({ InitProcessEnabled: true, Capabilities: { Drop: ['ALL'] } });
    expect((container.LinuxParameters as { Capabilities: Json }).Capabilities.Add).toBeUndefined();
  });

  it.each(Object.keys(ports))('%s bounds its V8 heap to three quarters of its task memory, keeping the image\'s NODE_OPTIONS', (name) => {
    const memoryMiB = Number(taskDefinitionOf(name).Memory);
    const flags = (environmentOf(name).NODE_OPTIONS ?? '').split(' ');
    const heaps = flags.filter((f) => f.startsWith('--max-old-space-size='));
    expect(heaps).toEqual([`--max-old-space-size=${Math.floor(memoryMiB * 0.75)}`]);
    // The task's NODE_OPTIONS replaces the image's (deploy/Dockerfile): its flags are repeated.
    const dockerfile = readFileSync(fileURLToPath(new URL('../../deploy/Dockerfile', import.meta.url)), 'utf8');
    const imageFlags = /NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(dockerfile)?.slice(1).find((x) => x !== undefined)?.split(' ') ?? [];
    expect(imageFlags).toContain('--enable-source-maps');
    for (const flag of imageFlags) expect(flags).toContain(flag);
  });

  it('replaces a heap limit the environment gives, in any of its spellings, with the task\'s own', () => {
    for (const given of ['--max-old-space-size=4096', '--max-old-space-size 4096', '--max_old_space_size=4096 --trace-warnings']) {
      const flags = nodeOptions(1024, given).split(' ');
      expect(flags, given).not.toContain('4096');
      expect(flags.filter((f) => /old[-_]space/.test(f)), given).toEqual(['--max-old-space-size=768']);
      expect(flags, given).toContain('--enable-source-maps');
    }
    expect(nodeOptions(1024, '--trace-warnings').split(' ')).toEqual(['--enable-source-maps', '--trace-warnings', '--max-old-space-size=768']);
    // The image's flag given again is given once; a flag given twice with a value of its own each keeps both.
    expect(nodeOptions(1024, '--enable-source-maps --require a.js --require b.js')).toBe('--enable-source-maps --require a.js --require b.js --max-old-space-size=768');
  });

  it('lets a scaled service\'s heap grow past its memory scaling target: scaling adds tasks before a heap runs out', () => {
    const policies = Object.values(ofType('AWS::ApplicationAutoScaling::ScalingPolicy'));
    for (const name of ['gateway', 'booking']) {
      const memory = policies.find((p) => JSON.stringify(p.Properties.ScalingTargetId).includes(name === 'gateway' ? 'Gateway' : 'Booking')
        && JSON.stringify(p.Properties).includes('ECSServiceAverageMemoryUtilization'));
      const target = (memory?.Properties.TargetTrackingScalingPolicyConfiguration as { TargetValue: number }).TargetValue;
      const memoryMiB = Number(taskDefinitionOf(name).Memory);
      const heap = Number(/--max-old-space-size=(\d+)/.exec(environmentOf(name).NODE_OPTIONS ?? '')?.[1]);
      expect(heap, name).toBeGreaterThan((memoryMiB * target) / 100);
      expect(heap, name).toBeLessThan(memoryMiB);
    }
  });

  const networkOf = (name: string) => (ecsService(name).NetworkConfiguration as { AwsvpcConfiguration: Json }).AwsvpcConfiguration;

  it.each(Object.keys(ports))('%s rolls back a failed deployment', (name) => {
    const service = ecsService(name);
    expect(service.LaunchType).toBe('FARGATE');
    expect(service.DeploymentConfiguration).toMatchObject({
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      MinimumHealthyPercent: 100,
    });
  });

  it.each(['discovery', 'event', 'booking'])('%s runs in the private subnets, without a public IP', (name) => {
    expect(networkOf(name).AssignPublicIp).toBe('DISABLED');
    expect(networkOf(name).Subnets).toEqual(resolve(stack, stack.network.vpc.privateSubnets.map((s) => s.subnetId)));
  });

  it('runs the gateway in the public subnets behind the load balancer, with a public IP for egress only', () => {
    expect(networkOf('gateway').Subnets).toEqual(resolve(stack, stack.network.vpc.publicSubnets.map((s) => s.subnetId)));
    expect(networkOf('gateway').AssignPublicIp).toBe('ENABLED');
    // What may reach it: the load balancer, on 8082, and nothing else (see the security-group matrix below).
    const ingress = Object.values(ofType('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(resolve(stack, stack.securityGroups.gateway.securityGroupId)),
    );
    expect(ingress.map((r) => [r.Properties.FromPort, r.Properties.ToPort, JSON.stringify(r.Properties.SourceSecurityGroupId)])).toEqual([
      [8082, 8082, JSON.stringify(resolve(stack, stack.securityGroups.alb.securityGroupId))],
    ]);
  });

  it('points every registry client at eureka.stream-seat.local and the VPC prefix', () => {
    for (const name of ['gateway', 'event', 'booking']) {
      expect(environmentOf(name)).toMatchObject({
        EUREKA_URL: 'http://eureka.stream-seat.local:8761/eureka',
        PREFERRED_NETWORKS: '10.0.',
      });
    }
    expect(environmentOf('discovery').EUREKA_URL).toBeUndefined();
    expect(environmentOf('discovery').PREFERRED_NETWORKS).toBe('10.0.');
  });

  it('runs the registry without self-preservation: ECS replaces dead tasks, and their leases must lapse', () => {
    // With it on, two of six clients lost at once left renewals under the threshold for good.
    expect(environmentOf('discovery').SELF_PRESERVATION).toBe('false');
  });

  it('rolls tasks without dropping requests: serve one registry fetch after deregistering, drain, all before SIGKILL', () => {
    const [targets] = Object.values(ofType('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(targets?.Properties.TargetGroupAttributes).toEqual(expect.arrayContaining([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]));
    // Callers refresh their registry copy every 10 s (the platform default, 30 s, would outlast the grace).
    for (const name of ['gateway', 'event', 'booking']) expect(environmentOf(name).EUREKA_FETCH_SECONDS).toBe('10');
    // A task that dies without deregistering is dropped after a 30 s lease (renewed every 10 s), not 90 s.
    for (const name of ['gateway', 'event', 'booking']) expect(environmentOf(name)).toMatchObject({ EUREKA_RENEW_SECONDS: '10', EUREKA_LEASE_SECONDS: '30' });
    for (const name of Object.keys(ports)) {
      const env = environmentOf(name);
      // The gateway is found through the load balancer, which drains it (30 s) before SIGTERM: no grace.
      expect(env).toMatchObject({ SHUTDOWN_GRACE_MS: name === 'gateway' ? '0' : '12000', SHUTDOWN_TIMEOUT_MS: '20000' });
      if (name !== 'gateway') expect(Number(env.SHUTDOWN_GRACE_MS)).toBeGreaterThan(10 * 1000);
      // ECS sends SIGKILL StopTimeout seconds after SIGTERM (Fargate's ceiling: 120).
      const stopTimeout = containerOf(name).StopTimeout as number;
      expect(stopTimeout).toBe(45);
      expect(stopTimeout * 1000).toBeGreaterThanOrEqual(Number(env.SHUTDOWN_GRACE_MS) + Number(env.SHUTDOWN_TIMEOUT_MS) + 10_000);
      expect(stopTimeout).toBeLessThanOrEqual(120);
    }
  });

  it('injects its own database secret as DB_SECRET into event and booking, and into nothing else', () => {
    for (const [name, database] of [['event', 'stream_seat_events'], ['booking', 'stream_seat_bookings']] as const) {
      const secretRef = resolve(stack, stack.databaseUsers.secrets[name].secretArn);
      expect(containerOf(name).Secrets).toEqual(expect.arrayContaining([{ Name: 'DB_SECRET', ValueFrom: secretRef }]));
      // MySQL or nothing (never a task's own SQLite file), and pools sized to the instance's connections.
      expect(environmentOf(name)).toMatchObject({ DATABASE_NAME: database, DATABASE_TLS: 'rds', DATABASE_REQUIRED: 'mysql', DB_POOL_SIZE: '5' });
      expect(environmentOf(name).DATABASE_URL).toBeUndefined();
    }
    for (const name of ['gateway', 'discovery']) {
      const secrets = (containerOf(name).Secrets ?? []) as { Name: string }[];
      expect(secrets.map((s) => s.Name)).not.toContain('DB_SECRET');
    }
  });

  it('shares a generated service token between event and booking only, and trusts the VPC as proxy at the gateway', () => {
    for (const name of ['event', 'booking']) expect(((containerOf(name).Secrets ?? []) as { Name: string }[]).map((x) => x.Name)).toContain('SERVICE_TOKEN');
    for (const name of ['gateway', 'discovery']) expect(((containerOf(name).Secrets ?? []) as { Name: string }[]).map((x) => x.Name)).not.toContain('SERVICE_TOKEN');
    expect(environmentOf('gateway').TRUST_PROXY).toBe('10.0.0.0/16');
    expect(environmentOf('gateway').DEV_TOKENS).toBeUndefined();
  });

  it('guards the registry with generated tokens through secrets, never in plain environment: its own, and one per app that only that app’s containers get', () => {
    const secretId = (name: string) => {
      const [id, secret] = Object.entries(ofType('AWS::SecretsManager::Secret')).find(([, s]) => s.Properties.Name === name) ?? [];
      if (!id || !secret) throw new Error(`no ${name} secret`);
      expect(secret.Properties.GenerateSecretString, name).toMatchObject({ ExcludePunctuation: true });
      expect((secret.Properties.GenerateSecretString as { PasswordLength: number }).PasswordLength, name).toBeGreaterThanOrEqual(32);
      return id;
    };
    const own = secretId('stream-seat/registry-token');
    const perApp = {
      event: secretId('stream-seat/registry-token-event-service'),
      booking: secretId('stream-seat/registry-token-booking-service'),
      gateway: secretId('stream-seat/registry-token-api-gateway'),
    };
    const expected: Record<string, Record<string, string>> = {
      // The registry: its own token (any app) and each app's (that app only), by `<APP>_REGISTRY_TOKEN`.
      discovery: { REGISTRY_TOKEN: own, EVENT_SERVICE_REGISTRY_TOKEN: perApp.event, BOOKING_SERVICE_REGISTRY_TOKEN: perApp.booking, API_GATEWAY_REGISTRY_TOKEN: perApp.gateway },
      // A client presents its app's token as REGISTRY_TOKEN, and holds no other.
      event: { REGISTRY_TOKEN: perApp.event },
      booking: { REGISTRY_TOKEN: perApp.booking },
      gateway: { REGISTRY_TOKEN: perApp.gateway },
    };
    for (const name of Object.keys(ports)) {
      const secrets = (containerOf(name).Secrets ?? []) as { Name: string; ValueFrom: { Ref?: string } }[];
      const registrySecrets = Object.fromEntries(secrets.filter((x) => x.Name.endsWith('REGISTRY_TOKEN')).map((x) => [x.Name, x.ValueFrom.Ref]));
      expect(registrySecrets, name).toEqual(expected[name]);
      expect(environmentOf(name).REGISTRY_TOKEN, name).toBeUndefined();
      // Nor smuggled into the registry URL as basic credentials.
      expect(environmentOf(name).EUREKA_URL ?? '', name).not.toContain('@');
      // ECS fetches each at task start with the task's execution role.
      const executionRole = (taskDefinitionOf(name).ExecutionRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = Object.values(ofType('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: executionRole }]))
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
      for (const tokenId of Object.values(expected[name] ?? {})) {
        const grants = statements.filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ Ref: tokenId }));
        expect(grants.flatMap((st) => st.Action as string[]), `${name} ${tokenId}`).toContain('secretsmanager:GetSecretValue');
      }
      // And may read no other registry token (the gateway's role cannot fetch booking's).
      const readable = statements.flatMap((st) => [st.Resource].flat()).map((r) => (r as { Ref?: string }).Ref);
      for (const tokenId of [own, ...Object.values(perApp)].filter((id) => !Object.values(expected[name] ?? {}).includes(id))) {
        expect(readable, `${name} reads ${tokenId}`).not.toContain(tokenId);
      }
    }
  });

  it('gives the gateway and booking the Redis URL over TLS, and a generated JWT key through secrets', () => {
    for (const name of ['gateway', 'booking']) {
      // Each as its own ACL user (below), its password a secret.
      expect(environmentOf(name).REDIS_URL).toMatch(new RegExp(`^\\{"Fn::Join".*rediss://${name}@`));
      expect(((containerOf(name).Secrets ?? []) as { Name: string }[]).map((s) => s.Name)).toContain('REDIS_PASSWORD');
      const secrets = (containerOf(name).Secrets ?? []) as { Name: string }[];
      expect(secrets.map((s) => s.Name)).toContain('JWT_SECRET');
      expect(environmentOf(name).JWT_SECRET).toBeUndefined();
    }
  });

  it('scales the gateway and booking on CPU, and nothing else', () => {
    const targets = Object.values(ofType('AWS::ApplicationAutoScaling::ScalableTarget'));
    const scaled = targets.map((t) => JSON.stringify(t.Properties.ResourceId)).map((id) => (id.includes('Gateway') ? 'gateway' : id.includes('Booking') ? 'booking' : id));
    expect(scaled.sort()).toEqual(['booking', 'gateway']);
    for (const target of targets) expect(target.Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 6 });
    // Their task count is the scaling's: a count in the template would be applied again by every
    // deploy. The others keep theirs.
    expect(ecsService('booking').DesiredCount).toBeUndefined();
    expect(ecsService('gateway').DesiredCount).toBeUndefined();
    expect(ecsService('event').DesiredCount).toBe(2);
    expect(ecsService('discovery').DesiredCount).toBe(1);
    // Each on CPU (60 %) and on memory (70 %: idle live streams hold memory, not CPU).
    const policies = Object.values(ofType('AWS::ApplicationAutoScaling::ScalingPolicy'));
    const tracked = policies.map((policy) => {
      const tracking = policy.Properties.TargetTrackingScalingPolicyConfiguration as {
        PredefinedMetricSpecification: { PredefinedMetricType: string };
        TargetValue: number;
        DisableScaleIn?: boolean;
      };
      const service = JSON.stringify(policy.Properties.ScalingTargetId).includes('Gateway') ? 'gateway' : 'booking';
      return `${service} ${tracking.PredefinedMetricSpecification.PredefinedMetricType} ${tracking.TargetValue}${tracking.DisableScaleIn ? ' out only' : ''}`;
    });
    // Memory scales out only: a scale-in needs every policy, and memory kept after a peak would block it.
    expect(tracked.sort()).toEqual([
      'booking ECSServiceAverageCPUUtilization 60',
      'booking ECSServiceAverageMemoryUtilization 70 out only',
      'gateway ECSServiceAverageCPUUtilization 60',
      'gateway ECSServiceAverageMemoryUtilization 70 out only',
    ]);
  });
});

describe('load balancer', () => {
  it('is internet-facing in the public subnets and forwards port 80 to the gateway on 8082, health-checked on /ready', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: resolve(stack, stack.network.vpc.publicSubnets.map((s) => s.subnetId)),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8082,
      TargetType: 'ip',
      HealthCheckPath: '/ready',
    });
    expect(ecsService('gateway').LoadBalancers).toEqual([
      expect.objectContaining({ ContainerName: 'gateway', ContainerPort: 8082 }),
    ]);
  });

  it('gives up on idle connections before the gateway does (else a reused, just-closed connection is a 502), and after two stream heartbeats', () => {
    const attributes = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0]!.Properties
      .LoadBalancerAttributes as Array<{ Key: string; Value: string }>;
    const idleSeconds = Number(attributes.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value);
    expect(idleSeconds * 1000).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS);
    expect(idleSeconds * 1000).toBeGreaterThanOrEqual(2 * 15_000);
    // Its DNS name is the site's address: not deleted by a mistaken change.
    expect(attributes).toContainEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
  });

  it('answers the gateway’s operations paths itself with a 404, before the gateway: task addresses and versions stay inside', () => {
    const rules = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map((r) => r.Properties as {
      Priority: number;
      Conditions: { Field: string; PathPatternConfig?: { Values: string[] } }[];
      Actions: { Type: string; FixedResponseConfig?: { StatusCode: string } }[];
    });
    const blocked = rules.filter((r) => r.Actions.some((a) => a.Type === 'fixed-response' && a.FixedResponseConfig?.StatusCode === '404'));
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.Conditions.flatMap((c) => c.PathPatternConfig?.Values ?? []).sort()).toEqual(['/gateway/*', '/health*', '/metrics*', '/ready*', '/started*']);
    // Every other path goes on to the gateway (the listener's default), whose health check the rule does not touch.
    expect(rules.filter((r) => r.Actions.some((a) => a.Type === 'forward'))).toEqual([]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/ready' });
  });
});

describe('database', () => {
  it('is RDS MySQL 8.4 on 3306 in the isolated subnets, encrypted, multi-AZ, protected from deletion', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'mysql',
      EngineVersion: Match.stringLikeRegexp('^8\\.4\\.'),
      Port: '3306',
      StorageEncrypted: true,
      MultiAZ: true,
      DeletionProtection: true,
      PubliclyAccessible: false,
    });
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: resolve(stack, stack.network.vpc.isolatedSubnets.map((s) => s.subnetId)),
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: Match.objectLike({ require_secure_transport: 'ON', max_connections: '170' }) });
  });

  it('is upgraded when the code says, in a window of its own, and keeps its logs a month', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      AutoMinorVersionUpgrade: false,
      PreferredMaintenanceWindow: 'Tue:03:00-Tue:03:30',
      PreferredBackupWindow: '02:00-02:30',
      EnableCloudwatchLogsExports: ['error', 'slowquery'],
    });
    // The slow-query log the export publishes is on (RDS MySQL leaves it off), written to a file as the export reads it.
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: Match.objectLike({ slow_query_log: '1', long_query_time: '1', log_output: 'FILE' }) });
    const retained = Object.values(ofType('Custom::LogRetention')).filter((r) => JSON.stringify(r.Properties.LogGroupName).includes('/aws/rds/instance/'));
    expect(retained).toHaveLength(2);
    for (const r of retained) expect(r.Properties.RetentionInDays).toBe(30);
  });

  it('keeps its generated credentials in Secrets Manager', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'stream-seat/database',
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"stream_seat"}', GenerateStringKey: 'password' }),
    });
  });

  it('lets each service into Redis as its own ACL user, with its own password, on its own channels or keys, and nobody as the default user', () => {
    const users = Object.entries(ofType('AWS::ElastiCache::User'));
    const byName = Object.fromEntries(users.map(([id, u]) => [u.Properties.UserName as string, { id, props: u.Properties }]));
    expect(Object.keys(byName).sort()).toEqual(['booking', 'default', 'gateway']);
    expect(byName['default']?.props.AccessString).toMatch(/^off /);
    expect(byName['booking']?.props.AccessString).toBe(REDIS_ACCESS.booking);
    expect(byName['gateway']?.props.AccessString).toBe(REDIS_ACCESS.gateway);
    // The gateway cannot publish, booking cannot touch keys.
    expect(REDIS_ACCESS.gateway).not.toMatch(/publish|&/);
    expect(REDIS_ACCESS.booking).not.toMatch(/~/);
    for (const name of ['booking', 'gateway']) {
      const secret = Object.entries(ofType('AWS::SecretsManager::Secret')).find(([, x]) => x.Properties.Name === `stream-seat/redis-${name}`);
      if (!secret) throw new Error(`no Redis secret of ${name}`);
      expect(JSON.stringify(byName[name]?.props.Passwords)).toContain(`{"Ref":"${secret[0]}"}`);
      // The task gets that secret, and no other service's.
      const fromSecret = (containerOf(name).Secrets as { Name: string; ValueFrom: { Ref?: string } }[]).find((x) => x.Name === 'REDIS_PASSWORD');
      expect(fromSecret?.ValueFrom.Ref, name).toBe(secret[0]);
    }
    for (const name of ['event', 'discovery']) expect(((containerOf(name).Secrets ?? []) as { Name: string }[]).map((x) => x.Name)).not.toContain('REDIS_PASSWORD');
    const groups = Object.entries(ofType('AWS::ElastiCache::UserGroup'));
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0] ?? [];
    expect(group?.Properties.UserIds).toEqual(expect.arrayContaining(Object.values(byName).map(({ id }) => ({ Ref: id }))));
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { UserGroupIds: [{ Ref: groupId }] });
  });

  it('has Redis encrypted at rest and in transit in the isolated subnets', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      AtRestEncryptionEnabled: true,
      TransitEncryptionEnabled: true,
      Port: 6379,
    });
    template.hasResourceProperties('AWS::ElastiCache::SubnetGroup', {
      SubnetIds: resolve(stack, stack.network.vpc.isolatedSubnets.map((s) => s.subnetId)),
    });
  });
});

describe('bastion', () => {
  it('is an SSM-managed instance in a private subnet, with no key pair, IMDSv2 and an encrypted disk', () => {
    const instances = Object.values(ofType('AWS::EC2::Instance'));
    expect(instances).toHaveLength(1);
    const props = instances[0]!.Properties;
    expect(props.KeyName).toBeUndefined();
    expect(resolve(stack, stack.network.vpc.privateSubnets.map((s) => s.subnetId))).toContainEqual(props.SubnetId);
    expect(props.BlockDeviceMappings).toEqual([expect.objectContaining({ Ebs: expect.objectContaining({ Encrypted: true }) })]);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['ssmmessages:*', 'ssm:UpdateInstanceInformation']) })] },
    });
  });

  it('keeps its instance across Amazon Linux releases: EC2 reads the AMI at launch, the template never changes with it', () => {
    const props = Object.values(ofType('AWS::EC2::Instance'))[0]!.Properties;
    expect(props.ImageId).toBe('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64');
    // No stack parameter that CloudFormation reads again on every deploy: a new AMI had been a new bastion.
    const parameters = Object.values((template.toJSON().Parameters ?? {}) as Record<string, { Type: string }>);
    expect(parameters.filter((p) => p.Type.includes('AWS::EC2::Image::Id'))).toEqual([]);
  });
});

describe('security groups', () => {
  /** Every ingress rule in the template as `target <- source:port`, inline or standalone. */
  function ingressRules(): string[] {
    const nameOf = new Map<string, string>();
    const groups = stack.securityGroups;
    for (const key of ['alb', 'gateway', 'discovery', 'event', 'booking', 'database', 'cache', 'bastion', 'databaseUsers'] as const) {
      const sg: ISecurityGroup = groups[key];
      nameOf.set(JSON.stringify(resolve(stack, sg.securityGroupId)), key);
    }
    const name = (ref: unknown) => nameOf.get(JSON.stringify(ref)) ?? `unknown(${JSON.stringify(ref)})`;
    const port = (r: Json) => (r.FromPort === r.ToPort ? `${String(r.FromPort)}` : `${String(r.FromPort)}-${String(r.ToPort)}`);
    const source = (r: Json) => (r.CidrIp ? String(r.CidrIp) : r.CidrIpv6 ? String(r.CidrIpv6) : name(r.SourceSecurityGroupId));
    const rules: string[] = [];
    for (const [logicalId, group] of Object.entries(ofType('AWS::EC2::SecurityGroup'))) {
      const target = name({ 'Fn::GetAtt': [logicalId, 'GroupId'] });
      for (const rule of (group.Properties.SecurityGroupIngress ?? []) as Json[]) {
        rules.push(`${target} <- ${source(rule)}:${rule.IpProtocol as string}/${port(rule)}`);
      }
    }
    for (const rule of Object.values(ofType('AWS::EC2::SecurityGroupIngress'))) {
      rules.push(`${name(rule.Properties.GroupId)} <- ${source(rule.Properties)}:${rule.Properties.IpProtocol as string}/${port(rule.Properties)}`);
    }
    return rules.sort();
  }

  it('lets in exactly ALB → gateway → services → database (and cache), booking ↔ event, bastion and the user-provisioning Lambda → database on 3306, nothing else', () => {
    expect(ingressRules()).toEqual(
      [
        'alb <- 0.0.0.0/0:tcp/80',
        'gateway <- alb:tcp/8082',
        'discovery <- gateway:tcp/8761',
        'discovery <- event:tcp/8761',
        'discovery <- booking:tcp/8761',
        'event <- gateway:tcp/8081',
        'event <- booking:tcp/8081',
        'booking <- gateway:tcp/8080',
        'booking <- event:tcp/8080',
        'database <- event:tcp/3306',
        'database <- booking:tcp/3306',
        'database <- bastion:tcp/3306',
        'database <- databaseUsers:tcp/3306',
        'cache <- booking:tcp/6379',
        'cache <- gateway:tcp/6379',
      ].sort(),
    );
  });

  it('opens 0.0.0.0/0 only on the load balancer listener', () => {
    const open = ingressRules().filter((r) => r.includes('0.0.0.0/0') || r.includes('::/0'));
    expect(open).toEqual(['alb <- 0.0.0.0/0:tcp/80']);
  });

  it('gives the database and the cache no way out', () => {
    for (const key of ['database', 'cache'] as const) {
      const id = (resolve(stack, stack.securityGroups[key].securityGroupId) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const egress = (ofType('AWS::EC2::SecurityGroup')[id]?.Properties.SecurityGroupEgress ?? []) as Json[];
      expect(egress.every((r) => r.CidrIp === '255.255.255.255/32')).toBe(true);
    }
  });
});

describe('alarms', () => {
  type Alarm = { AlarmName: string; MetricName: string; Namespace: string; Threshold: number; ComparisonOperator: string; EvaluationPeriods: number; AlarmActions: unknown[]; OKActions: unknown[]; Dimensions?: Array<{ Name: string; Value: unknown }> };
  const alarms = () => Object.values(ofType('AWS::CloudWatch::Alarm')).map((a) => a.Properties as unknown as Alarm);
  const alarm = (name: string) => {
    const found = alarms().find((a) => a.AlarmName === name);
    if (!found) throw new Error(`no alarm ${name}: ${alarms().map((a) => a.AlarmName).join(', ')}`);
    return found;
  };
  const topicRef = () => JSON.stringify(resolve(stack, stack.alarms.topic.topicArn));

  it('watches the gateway’s answers, the database, each Redis node and each service’s tasks', () => {
    expect(alarm('StreamSeat-gateway-target5xx')).toMatchObject({ MetricName: 'HTTPCode_Target_5XX_Count', Threshold: ALARM_THRESHOLDS.gatewayTarget5xxPerMinute });
    expect(alarm('StreamSeat-load-balancer5xx')).toMatchObject({ MetricName: 'HTTPCode_ELB_5XX_Count', Namespace: 'AWS/ApplicationELB' });
    expect(alarm('StreamSeat-unhealthy-gateway-tasks')).toMatchObject({ MetricName: 'UnHealthyHostCount', Threshold: 1 });
    expect(alarm('StreamSeat-gateway-slow')).toMatchObject({ MetricName: 'TargetResponseTime', Threshold: 3 });
    expect(alarm('StreamSeat-database-cpu')).toMatchObject({ MetricName: 'CPUUtilization', Namespace: 'AWS/RDS' });
    expect(alarm('StreamSeat-database-storage')).toMatchObject({ MetricName: 'FreeStorageSpace', ComparisonOperator: 'LessThanThreshold' });
    expect(alarm('StreamSeat-database-connections')).toMatchObject({ MetricName: 'DatabaseConnections', Threshold: 120 });
    // ElastiCache reports per node: the group's two nodes are <group id>-001 and -002.
    const group = JSON.stringify(resolve(stack, stack.cache.replicationGroupId));
    for (const node of [1, 2]) {
      for (const [name, metric] of [[`StreamSeat-cache-cpu${node}`, 'EngineCPUUtilization'], [`StreamSeat-cache-memory${node}`, 'DatabaseMemoryUsagePercentage']] as const) {
        const found = alarm(name);
        expect(found.MetricName).toBe(metric);
        const dimension = JSON.stringify(found.Dimensions);
        expect(dimension).toContain(group);
        expect(dimension).toContain(`-00${node}`);
      }
    }
    // A service is short when fewer tasks run than its minimum (Container Insights counts them).
    for (const [name, minimum] of [['discovery', 1], ['gateway', 2], ['event', 2], ['booking', 2]] as const) {
      const short = alarm(`StreamSeat-${name}-tasks-short`);
      expect(short).toMatchObject({ MetricName: 'RunningTaskCount', Namespace: 'ECS/ContainerInsights', Threshold: minimum, ComparisonOperator: 'LessThanThreshold' });
      expect(JSON.stringify(short.Dimensions)).toContain(JSON.stringify(resolve(stack, stack.services[name].service.serviceName)));
      expect(alarm(`StreamSeat-${name}-cpu`).MetricName).toBe('CPUUtilization');
    }
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  it('tells one encrypted topic of every alarm and of its end, and only over TLS', () => {
    expect(alarms()).toHaveLength(19);
    for (const a of alarms()) {
      expect(a.AlarmActions.map((x) => JSON.stringify(x)), a.AlarmName).toEqual([topicRef()]);
      expect(a.OKActions.map((x) => JSON.stringify(x)), a.AlarmName).toEqual([topicRef()]);
    }
    const [topic] = Object.values(ofType('AWS::SNS::Topic'));
    const keyId = (topic!.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = ofType('AWS::KMS::Key')[keyId]!.Properties;
    expect(key.EnableKeyRotation).toBe(true);
    // CloudWatch publishes to an encrypted topic only if the key lets it.
    expect(JSON.stringify(key.KeyPolicy)).toContain('"Service":"cloudwatch.amazonaws.com"');
    expect(JSON.stringify(key.KeyPolicy)).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
    // Gone with the stack (after KMS's 7-day wait), not retained and billed.
    expect(template.toJSON().Resources[keyId].DeletionPolicy).toBe('Delete');
    const policy = Object.values(ofType('AWS::SNS::TopicPolicy'))[0]!.Properties;
    expect(JSON.stringify(policy.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes -c alarmEmail to the topic', () => {
    const { estate } = synthApp({ imageTag: 'abc123', alarmEmail: 'ops@example.org' });
    Template.fromStack(estate!).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
  });

  it('rolls back a deployment of any service during which the gateway answers 5xx', () => {
    // An alarm's Ref is its name.
    const idOf = (name: string) => Object.entries(ofType('AWS::CloudWatch::Alarm')).find(([, a]) => a.Properties.AlarmName === name)![0];
    const watched = [{ Ref: idOf('StreamSeat-gateway-target5xx') }, { Ref: idOf('StreamSeat-load-balancer5xx') }];
    for (const name of ['discovery', 'gateway', 'event', 'booking']) {
      expect((ecsService(name).DeploymentConfiguration as Json).Alarms, name).toEqual({ AlarmNames: watched, Enable: true, Rollback: true });
    }
  });

  it('lets -c deploymentAlarms=false ship a fix while an alarm fires: no rollback on alarms then', () => {
    const { estate } = synthApp({ imageTag: 'abc123', deploymentAlarms: 'false' });
    const services = Object.values(Template.fromStack(estate!).findResources('AWS::ECS::Service'));
    expect(services).toHaveLength(4);
    for (const service of services) expect((service.Properties as Json).DeploymentConfiguration).not.toHaveProperty('Alarms.Enable', true);
  });

  it('gives Redis a fixed maintenance window, as the database has', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { PreferredMaintenanceWindow: 'tue:03:30-tue:04:30' });
  });
});

describe('the original deployment table', () => {
  it('can be found in the template: ports 8761, 8082, 8080, 8081, 3306, eureka.stream-seat.local, AMD64', () => {
    const json = JSON.stringify(template.toJSON());
    for (const port of [8761, 8082, 8080, 8081]) expect(json).toContain(`"ContainerPort":${port}`);
    expect(json).toContain('"Port":"3306"');
    expect(json).toContain('"Name":"stream-seat.local"');
    expect(json).toContain('"Name":"eureka"');
    expect(json).toContain('"CpuArchitecture":"X86_64"');
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no error and no warning on the estate', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`)).toEqual([]);
  });

  it('explains every acknowledged rule', () => {
    const suppressions = Object.values(template.toJSON().Resources as Record<string, { Metadata?: Json }>).flatMap(
      (r) => ((r.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)?.rules_to_suppress ?? []),
    );
    expect(suppressions.length).toBeGreaterThan(5);
    for (const s of suppressions) expect(s.reason.length, s.id).toBeGreaterThan(30);
  });
});
