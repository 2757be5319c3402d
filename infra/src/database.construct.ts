/** RDS MySQL 8.4 in the isolated subnets, encrypted, its generated credentials in Secrets Manager. */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { MYSQL_PORT } from './security-groups.construct.js';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
}

/** The database's connection limit (db.t4g.small, 2 GiB). */
export const MAX_CONNECTIONS = 170;

export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  /**
   * The master credentials (JSON: username, password, host, port, engine). No task gets them: the
   * services log in as their own users (DatabaseUsers), whose provisioning step alone reads this
   * secret; humans use it at the bastion.
   */
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_7 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      port: MYSQL_PORT,
      credentials: rds.Credentials.fromGeneratedSecret('stream_seat', { secretName: 'stream-seat/database' }),
      // The services' migrations create their own databases (stream_seat_events, stream_seat_bookings),
      // as does the provisioning of their users (DatabaseUsers), before it grants each user its own.
      multiAz: true,
      storageEncrypted: true,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageType: rds.StorageType.GP3,
      backupRetention: Duration.days(7),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      // Upgraded when this code says (the engine version above), in the window below: AWS's own
      // choice of time could fall in an on-sale, and a Multi-AZ instance upgrades both copies at once.
      autoMinorVersionUpgrade: false,
      preferredMaintenanceWindow: 'Tue:03:00-Tue:03:30',
      preferredBackupWindow: '02:00-02:30',
      enablePerformanceInsights: false,
      cloudwatchLogsExports: ['error', 'slowquery'],
      cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
      monitoringInterval: Duration.seconds(60),
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_7 }),
        parameters: {
          // Clients connect with DATABASE_TLS=rds; refuse anything in clear text.
          require_secure_transport: 'ON',
          // Said, not left to RDS's formula (DBInstanceClassMemory/12582880): with the memory RDS
          // reserves, a db.t4g.small may report about 150 (a review's reckoning), not the 170 the
          // services' pools plan for (140 during a deploy, stream-seat.stack.ts), the bastion and
          // the users' Lambda besides.
          max_connections: String(MAX_CONNECTIONS),
          // The `slowquery` export above publishes this log, which RDS MySQL leaves off: exported
          // alone, it stayed empty. A statement over a second (the services log theirs from 200 ms).
          slow_query_log: '1',
          long_query_time: '1',
          log_output: 'FILE',
        },
      }),
    });
    if (!this.instance.secret) throw new Error('the database instance must own a generated secret');
    this.secret = this.instance.secret;

    // The log groups RDS writes to are created by RDS; CDK's log-retention function sets their
    // retention, through a role of its own (one per stack, found by its fixed id).
    const logRetention = Stack.of(this).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
    if (logRetention) {
      NagSuppressions.addResourceSuppressions(logRetention, [
        { id: 'AwsSolutions-IAM4', reason: "CDK's log-retention function logs through the AWS-managed AWSLambdaBasicExecutionRole.", appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
        { id: 'AwsSolutions-IAM5', reason: "CDK's log-retention function sets the retention of log groups that RDS creates at run time (names it cannot know ahead): logs:PutRetentionPolicy and DeleteRetentionPolicy on *.", appliesTo: ['Resource::*'] },
      ], true);
    }

    NagSuppressions.addResourceSuppressions(this.instance, [
      { id: 'AwsSolutions-RDS11', reason: 'MySQL keeps its standard port 3306 (the deployment contract); only the event, booking, bastion and user-provisioning security groups reach it.' },
      { id: 'AwsSolutions-SMG4', reason: 'The master secret serves only the user-provisioning Lambda (which reads it on each run) and operators at the bastion; rotating it is a planned manual step that touches no running task.' },
      { id: 'AwsSolutions-IAM4', reason: 'The enhanced-monitoring role uses the AWS-managed AmazonRDSEnhancedMonitoringRole policy, which is scoped to that purpose.', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'] },
    ], true);
  }
}
