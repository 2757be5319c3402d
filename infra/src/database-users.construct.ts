/**
 * One MySQL user per service, each with its own generated secret and privileges on its own database
 * only, created by a custom resource that alone uses the RDS master secret.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { SERVICE_PRIVILEGES } from '../lambda/database-users/provision.js';

export interface DatabaseUserSpec {
  /** The MySQL user, e.g. `event_svc`. */
  readonly username: string;
  /** The service's DATABASE_NAME: the only database the user may touch. */
  readonly database: string;
}

export interface DatabaseUsersProps<Name extends string> {
  readonly vpc: ec2.IVpc;
  /** The Lambda's own group; the database's group must admit it on 3306. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The database's group: provisioning waits for its ingress rules. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  readonly instance: rds.DatabaseInstance;
  /** The master secret: read by the provisioning Lambda and nothing else in the stack. */
  readonly masterSecret: secretsmanager.ISecret;
  readonly users: Readonly<Record<Name, DatabaseUserSpec>>;
  /** `REQUIRE SSL` on every user: the services connect with DATABASE_TLS=rds. */
  readonly requireTls: boolean;
  /**
   * Bump it to replace every service secret: new passwords, applied by the provisioning step (the
   * secrets' ARNs are among its properties), then picked up by the tasks as ECS rolls them.
   */
  readonly generation?: number;
}

const HANDLER_DIR = fileURLToPath(new URL('../lambda/database-users/', import.meta.url));
const HANDLER = `${HANDLER_DIR}handler.ts`;

/**
 * A digest of the provisioning code (every source file of the Lambda): CloudFormation runs a
 * custom resource again only when its properties change, so a release that changed what it does
 * (the grant cut from ALL to a list did) would have given an existing estate the new function
 * and never run it.
 */
export function provisioningCodeDigest(dir = HANDLER_DIR): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).sort()) {
    // Line endings normalised: a checkout with CRLF is the same code.
    hash.update(file).update('\0').update(readFileSync(`${dir}${file}`, 'utf8').replace(/\r\n/g, '\n')).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
/** The workspace root: its package-lock.json pins what esbuild bundles (mysql2). */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export class DatabaseUsers<Name extends string> extends Construct {
  /** Each service's secret, attached to the instance: username, password, host, port, engine, dbname. */
  readonly secrets: Record<Name, secretsmanager.ISecret>;
  /** Services depend on it, so that no task starts before its user exists. */
  readonly resource: CustomResource;
  readonly function: lambdaNodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: DatabaseUsersProps<Name>) {
    super(scope, id);
    const generation = props.generation ?? 1;
    if (!Number.isInteger(generation) || generation < 1) throw new Error(`database user generation must be a positive integer, not ${generation}`);
    const suffix = generation === 1 ? '' : `-${generation}`;

    const entries = Object.entries(props.users) as [Name, DatabaseUserSpec][];
    this.secrets = {} as Record<Name, secretsmanager.ISecret>;
    for (const [name, spec] of entries) {
      const secret = new rds.DatabaseSecret(this, `${pascal(name)}Secret${generation === 1 ? '' : generation}`, {
        username: spec.username,
        dbname: spec.database,
        secretName: `stream-seat/database/${name}${suffix}`,
      });
      NagSuppressions.addResourceSuppressions(secret, [
        {
          id: 'AwsSolutions-SMG4',
          reason: 'Rotated by replacement: bumping the databaseUserGeneration context creates new secrets, the provisioning step sets the new passwords, and ECS rolls the tasks onto them (tasks read DB_SECRET only at start).',
        },
      ]);
      // Attaching adds host, port and engine to the JSON, as in the master secret.
      this.secrets[name] = secret.attach(props.instance);
    }

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new lambdaNodejs.NodejsFunction(this, 'Function', {
      description: 'Creates the Stream-Seat services MySQL users with the RDS master secret',
      entry: HANDLER,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      bundling: {
        // esbuild from the workspace: synth needs no Docker and no network.
        forceDockerBundling: false,
        // The Lambda runtime ships the AWS SDK v3; mysql2 is bundled.
        externalModules: ['@aws-sdk/*'],
        minify: true,
      },
    });
    props.masterSecret.grantRead(this.function);
    for (const secret of Object.values<secretsmanager.ISecret>(this.secrets)) secret.grantRead(this.function);

    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: this.function, logGroup: providerLogs });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseUsers',
      // ARNs and names only: the Lambda reads the values itself. A replaced secret has a new ARN,
      // so the resource updates and the new password is applied. The privileges and the code's
      // digest are there so that a release changing either runs the provisioning again.
      properties: {
        MasterSecretArn: props.masterSecret.secretArn,
        Users: entries.map(([name]) => ({ SecretArn: this.secrets[name].secretArn, Database: props.users[name].database })),
        RequireTls: String(props.requireTls),
        Privileges: SERVICE_PRIVILEGES.join(','),
        ProvisioningCode: provisioningCodeDigest(),
      },
    });
    // The Lambda reaches MySQL only once the database's group admits it.
    this.resource.node.addDependency(props.databaseSecurityGroup);

    NagSuppressions.addResourceSuppressions(this.function, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'A Lambda in a VPC needs the AWS-managed basic execution (logs) and VPC access (network interfaces) policies, which are scoped to those purposes.',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
        ],
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is a supported Lambda runtime (maintained upstream until April 2027), pinned on purpose for this one-shot provisioning function; moving to 24 is a reviewed one-line change.',
      },
    ], true);
    NagSuppressions.addResourceSuppressions(provider, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'The CDK custom-resource framework function uses the AWS-managed basic execution policy, for its logs only.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The CDK custom-resource framework may invoke the provisioning function and its versions (the :* suffix), nothing else.',
        appliesTo: [{ regex: '/^Resource::<DatabaseUsersFunction[0-9A-F]+\\.Arn>:\\*$/' }],
      },
    ], true);
  }
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
