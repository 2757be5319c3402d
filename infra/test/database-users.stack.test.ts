// The services' own MySQL users in the estate: their secrets, who reads which, and the
// provisioning Lambda that alone holds the master secret — read off the synthesized template.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { provisioningCodeDigest } from '../src/database-users.construct.js';
import type { StreamSeatStack } from '../src/stream-seat.stack.js';
import { synthApp } from './synth.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DependsOn?: string[];
  Metadata?: Json;
}

let stack: StreamSeatStack;
let template: Template;
let dockerCalls: string;

beforeAll(() => {
  // A docker that records being called: bundling must not need one.
  const bin = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  dockerCalls = join(bin, 'calls.log');
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "docker $*" >> '${dockerCalls}'\nexit 1\n`);
  chmodSync(join(bin, 'docker'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path ?? ''}`;
  try {
    const { estate } = synthApp({ imageTag: 'abc123' });
    if (!estate) throw new Error('the estate stack was not synthesized');
    stack = estate;
    template = Template.fromStack(stack);
  } finally {
    process.env.PATH = path;
  }
});

const ref = (value: unknown): string => JSON.stringify(stack.resolve(value));
const resources = (): Record<string, Resource> => template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string): [string, Resource][] => Object.entries(resources()).filter(([, r]) => r.Type === type);
const masterRef = () => ref(stack.database.secret.secretArn);
const userRef = (name: 'event' | 'booking') => ref(stack.databaseUsers.secrets[name].secretArn);
const functionId = () => (stack.resolve(stack.databaseUsers.function.functionArn) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const functionProps = () => resources()[functionId()]!.Properties;
const roleIdOf = (roleArn: unknown) => (roleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

function containerOf(name: string): Json {
  for (const [, task] of ofType('AWS::ECS::TaskDefinition')) {
    const found = (task.Properties.ContainerDefinitions as Json[]).find((c) => c.Name === name);
    if (found) return { ...found, ExecutionRoleArn: task.Properties.ExecutionRoleArn };
  }
  throw new Error(`no container ${name}`);
}

/** Every statement of the inline policies attached to a role. */
function statementsOf(roleId: string): Json[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify({ Ref: roleId })))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
}

/** The resources, as JSON strings, that a role's policies grant secretsmanager:GetSecretValue on. */
function secretsReadBy(roleId: string): string[] {
  return statementsOf(roleId)
    .filter((st) => ([] as unknown[]).concat(st.Action).includes('secretsmanager:GetSecretValue'))
    .flatMap((st) => ([] as unknown[]).concat(st.Resource).map((r) => JSON.stringify(r)))
    .sort();
}

describe("the services' own database users", () => {
  it('generates one secret per service, for its own user and database, attached to the instance like the master', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').filter(([, s]) => String(s.Properties.Name).startsWith('stream-seat/database/'));
    expect(secrets.map(([, s]) => s.Properties.Name).sort()).toEqual(['stream-seat/database/booking', 'stream-seat/database/event']);
    for (const [name, user, database] of [['event', 'event_svc', 'stream_seat_events'], ['booking', 'booking_svc', 'stream_seat_bookings']] as const) {
      const [id, secret] = secrets.find(([, s]) => s.Properties.Name === `stream-seat/database/${name}`)!;
      expect(secret.Properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'password' });
      const template = (secret.Properties.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate;
      expect(JSON.parse(template)).toEqual({ username: user, dbname: database });
      // host, port and engine join the JSON from the attachment, which the tasks reference.
      const attachment = ofType('AWS::SecretsManager::SecretTargetAttachment').find(([, a]) => JSON.stringify(a.Properties.SecretId) === JSON.stringify({ Ref: id }));
      expect(attachment?.[1].Properties).toMatchObject({ TargetType: 'AWS::RDS::DBInstance', TargetId: stack.resolve(stack.database.instance.instanceIdentifier) });
      expect(userRef(name)).toBe(JSON.stringify({ Ref: attachment?.[0] }));
    }
  });

  it("gives event and booking their own secret as DB_SECRET: not the master's, not each other's", () => {
    const dbSecret = (name: string) => JSON.stringify((containerOf(name).Secrets as { Name: string; ValueFrom: unknown }[]).find((s) => s.Name === 'DB_SECRET')?.ValueFrom);
    expect(dbSecret('event')).toBe(userRef('event'));
    expect(dbSecret('booking')).toBe(userRef('booking'));
    expect(new Set([dbSecret('event'), dbSecret('booking'), masterRef()]).size).toBe(3);
  });

  it("lets each task's execution role read its own database secret, and neither the master's nor the other service's", () => {
    for (const [name, other] of [['event', 'booking'], ['booking', 'event']] as const) {
      const readable = secretsReadBy(roleIdOf(containerOf(name).ExecutionRoleArn));
      expect(readable, name).toContain(userRef(name));
      expect(readable, name).not.toContain(userRef(other));
      expect(readable, name).not.toContain(masterRef());
    }
  });

  it('lets nothing but the provisioning Lambda read the master secret', () => {
    const readers = ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes(masterRef()))
      .map(([, p]) => JSON.stringify(p.Properties.Roles));
    expect(readers).toEqual([JSON.stringify([{ Ref: roleIdOf(functionProps().Role) }])]);
    for (const [, task] of ofType('AWS::ECS::TaskDefinition')) expect(JSON.stringify(task.Properties)).not.toContain(masterRef());
  });

  it("provisions both users through a custom resource given the secrets' ARNs and databases, never their values", () => {
    const custom = ofType('Custom::DatabaseUsers');
    expect(custom).toHaveLength(1);
    const { ServiceToken: _token, ...props } = custom[0]![1].Properties;
    expect(JSON.stringify(props)).toBe(
      JSON.stringify({
        MasterSecretArn: stack.resolve(stack.database.secret.secretArn),
        Users: [
          { SecretArn: stack.resolve(stack.databaseUsers.secrets.event.secretArn), Database: 'stream_seat_events' },
          { SecretArn: stack.resolve(stack.databaseUsers.secrets.booking.secretArn), Database: 'stream_seat_bookings' },
        ],
        RequireTls: 'true',
        Privileges: 'SELECT,INSERT,UPDATE,DELETE,CREATE,ALTER,INDEX,REFERENCES',
        ProvisioningCode: provisioningCodeDigest(),
      }),
    );
    // Secret values reach CloudFormation only as dynamic references of the resources that can take
    // them no other way: the database's master password, and the Redis users' passwords (each its
    // own secret: stream-seat.stack.test.ts) — none of the services' database users.
    const resolving = Object.entries(resources()).filter(([, r]) => JSON.stringify(r.Properties ?? {}).includes('{{resolve:secretsmanager'));
    expect(resolving.map(([, r]) => r.Type).sort()).toEqual(['AWS::ElastiCache::User', 'AWS::ElastiCache::User', 'AWS::RDS::DBInstance']);
    expect(functionProps().Environment).toBeUndefined();
  });

  it('runs the provisioning again when a release changes its code: the digest covers every source file of the Lambda', () => {
    const copy = mkdtempSync(join(tmpdir(), 'provisioning-code-'));
    const source = fileURLToPath(new URL('../lambda/database-users/', import.meta.url));
    const files = readdirSync(source).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(['custom-resource.ts', 'handler.ts', 'provision.ts']));
    for (const file of files) writeFileSync(join(copy, file), readFileSync(join(source, file)));
    const original = provisioningCodeDigest(`${copy}/`);
    expect(original).toBe(provisioningCodeDigest());
    for (const file of files) {
      const text = readFileSync(join(source, file), 'utf8');
      writeFileSync(join(copy, file), `${text}\n// changed\n`);
      expect(provisioningCodeDigest(`${copy}/`), file).not.toBe(original);
      writeFileSync(join(copy, file), text);
    }
    expect(provisioningCodeDigest(`${copy}/`)).toBe(original);
  });

  it('starts event and booking only after their users exist, and provisions only once the database admits the Lambda', () => {
    const [customId, custom] = ofType('Custom::DatabaseUsers')[0]!;
    for (const name of ['event', 'booking']) {
      const [, service] = ofType('AWS::ECS::Service').find(([, s]) => s.Properties.ServiceName === name)!;
      expect(service.DependsOn, name).toContain(customId);
    }
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').find(
      ([, r]) => JSON.stringify(r.Properties.SourceSecurityGroupId) === ref(stack.securityGroups.databaseUsers.securityGroupId),
    );
    expect(custom.DependsOn).toContain(ingress?.[0]);
  });

  it('runs the Lambda on Node.js 22 in the private subnets, in a group the database admits on 3306 and nothing admits', () => {
    const fn = functionProps();
    expect(fn.Runtime).toBe('nodejs22.x');
    const vpc = fn.VpcConfig as { SubnetIds: unknown; SecurityGroupIds: unknown[] };
    expect(JSON.stringify(vpc.SubnetIds)).toBe(ref(stack.network.vpc.privateSubnets.map((s) => s.subnetId)));
    expect(vpc.SecurityGroupIds.map((g) => JSON.stringify(g))).toEqual([ref(stack.securityGroups.databaseUsers.securityGroupId)]);
    const rules = ofType('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const lambdaGroup = ref(stack.securityGroups.databaseUsers.securityGroupId);
    expect(rules.filter((r) => JSON.stringify(r.SourceSecurityGroupId) === lambdaGroup)).toEqual([
      expect.objectContaining({ GroupId: stack.resolve(stack.securityGroups.database.securityGroupId), IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306 }),
    ]);
    expect(rules.filter((r) => JSON.stringify(r.GroupId) === lambdaGroup)).toEqual([]);
  });

  it('lets the Lambda read the master and the two user secrets, and nothing broader', () => {
    const roleId = roleIdOf(functionProps().Role);
    expect(secretsReadBy(roleId)).toEqual([masterRef(), userRef('event'), userRef('booking')].sort());
    for (const st of statementsOf(roleId)) {
      expect(st.Effect).toBe('Allow');
      expect(([] as unknown[]).concat(st.Action).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      expect(JSON.stringify(st.Resource)).not.toContain('*');
    }
    const managed = JSON.stringify(resources()[roleId]!.Properties.ManagedPolicyArns);
    expect(managed.match(/policy\/[\w/-]+/g)?.sort()).toEqual(['policy/service-role/AWSLambdaBasicExecutionRole', 'policy/service-role/AWSLambdaVPCAccessExecutionRole']);
    // No finding about wildcard permissions is waved through on its role.
    const suppressed = (r: Resource) => ((r.Metadata?.cdk_nag as { rules_to_suppress?: { id: string }[] } | undefined)?.rules_to_suppress ?? []).map((s) => s.id);
    for (const [id, r] of Object.entries(resources())) if (id.startsWith(roleId)) expect(suppressed(r), id).not.toContain('AwsSolutions-IAM5');
  });

  it('bundles the handler offline with esbuild: no Docker, mysql2 inside, the AWS SDK left to the runtime, and it loads', () => {
    expect(existsSync(dockerCalls) ? readFileSync(dockerCalls, 'utf8') : '').toBe('');
    const asset = stack.databaseUsers.function.node.findChild('Code') as Asset;
    const outdir = (stack.node.root as App).outdir;
    const bundle = join(isAbsolute(asset.assetPath) ? asset.assetPath : join(outdir, asset.assetPath), 'index.js');
    const code = readFileSync(bundle, 'utf8');
    expect(code).toContain('CREATE USER IF NOT EXISTS');
    expect(code).toContain('Amazon RDS');
    expect(code).toMatch(/require\("@aws-sdk\/client-secrets-manager"\)/);
    expect(statSync(bundle).size).toBeLessThan(3 * 1024 * 1024);
    const load = spawnSync(process.execPath, ['-e', `process.exit(typeof require(${JSON.stringify(bundle)}).handler === 'function' ? 0 : 3)`], {
      env: { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') },
      encoding: 'utf8',
    });
    expect(load.stderr).toBe('');
    expect(load.status).toBe(0);
  });
});

describe('a bumped databaseUserGeneration', () => {
  it('replaces both service secrets; the custom resource and the tasks follow the new ones', () => {
    const { estate } = synthApp({ imageTag: 'abc123', databaseUserGeneration: '2' });
    if (!estate) throw new Error('the estate stack was not synthesized');
    const next = Template.fromStack(estate).toJSON().Resources as Record<string, Resource>;
    const names = Object.values(next).filter((r) => r.Type === 'AWS::SecretsManager::Secret').map((r) => String(r.Properties.Name));
    expect(names.filter((n) => n.startsWith('stream-seat/database/')).sort()).toEqual(['stream-seat/database/booking-2', 'stream-seat/database/event-2']);
    const eventRef = estate.resolve(estate.databaseUsers.secrets.event.secretArn) as { Ref: string };
    // A new logical id: CloudFormation creates a new secret (new ARN), so the resource's properties change.
    expect(eventRef.Ref).not.toBe((stack.resolve(stack.databaseUsers.secrets.event.secretArn) as { Ref: string }).Ref);
    const custom = Object.values(next).find((r) => r.Type === 'Custom::DatabaseUsers')!;
    expect(JSON.stringify(custom.Properties.Users)).toContain(JSON.stringify(eventRef));
    const eventTask = Object.values(next).find((r) => r.Type === 'AWS::ECS::TaskDefinition' && JSON.stringify(r.Properties).includes('"Name":"event"'))!;
    expect(JSON.stringify(eventTask.Properties)).toContain(JSON.stringify({ Name: 'DB_SECRET', ValueFrom: eventRef }));
  });

  it('refuses a generation that is not a positive integer', () => {
    expect(() => synthApp({ imageTag: 'abc123', databaseUserGeneration: '0.5' })).toThrow(/positive integer/);
  });
});
