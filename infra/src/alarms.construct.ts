/**
 * Who is told when the estate is in trouble: CloudWatch alarms on the load balancer, the gateway's
 * targets, the services' tasks, the database and the cache, all sent to one SNS topic (an email
 * subscription with `-c alarmEmail=…`). The gateway's 5xx alarms also watch every deployment:
 * ECS rolls a deployment back when one fires during it.
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ServiceName } from './service-catalog.js';

/** What each alarm fires at; named so that tests and the README read the same figures. */
export const ALARM_THRESHOLDS = {
  /** 5xx answers from the gateway's tasks, per minute, three minutes running. */
  gatewayTarget5xxPerMinute: 25,
  /** 5xx answers of the load balancer itself (no healthy target, a target reset), per minute, two of three minutes. */
  loadBalancer5xxPerMinute: 10,
  /** p99 of the gateway's time to answer, five minutes running (a hold, a payment well inside it). */
  gatewayP99Seconds: 3,
  /** Database CPU, ten minutes running. */
  databaseCpuPercent: 80,
  /** Free database storage: autoscaling adds storage well before this. */
  databaseFreeStorageBytes: 1024 ** 3,
  /**
   * Connections: the plan is 140 at most, during a deploy, on an instance whose limit
   * is 170 (set in database.construct.ts); 120 for ten minutes running is no deploy.
   */
  databaseConnections: 120,
  /** Redis engine CPU and memory, ten minutes running. */
  cacheCpuPercent: 80,
  cacheMemoryPercent: 80,
  /** A service's CPU, ten minutes running (the autoscaled ones scale at 60). */
  serviceCpuPercent: 90,
} as const;

export interface AlarmsProps {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly gatewayTargets: elbv2.ApplicationTargetGroup;
  readonly database: rds.DatabaseInstance;
  /** The cache's replication group id and its node count: the metrics are per node (`<id>-001`). */
  readonly cache: { readonly replicationGroupId: string; readonly nodes: number };
  readonly clusterName: string;
  /** Each service with the task count below which it is short (its minimum). */
  readonly services: Record<ServiceName, { readonly service: ecs.FargateService; readonly minimumTasks: number }>;
  /** Subscribed to the topic by email when given. */
  readonly email?: string;
  /**
   * Roll back a deployment during which a gateway 5xx alarm fires (default true). Off to ship a
   * fix while one fires: that deployment would be rolled back too.
   */
  readonly rollbackOnAlarms?: boolean;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    // CloudWatch can publish to an encrypted topic only with a customer key that lets it.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Stream-Seat alarm topic',
      enableKeyRotation: true,
      // It encrypts messages in flight only: nothing is lost with it, and a retained key bills on.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // This account's alarms only.
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Stream-Seat alarms', masterKey: key, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    new CfnOutput(scope, 'AlarmTopicArn', { value: this.topic.topicArn, description: 'Subscribe to it to be told of the estate’s alarms' });

    const minute = Duration.minutes(1);
    const t = ALARM_THRESHOLDS;

    const target5xx = this.alarm('GatewayTarget5xx', 'The gateway answers 5xx', {
      metric: props.gatewayTargets.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' }),
      threshold: t.gatewayTarget5xxPerMinute,
      evaluationPeriods: 3,
    });
    const elb5xx = this.alarm('LoadBalancer5xx', 'The load balancer answers 5xx itself (no healthy gateway, resets)', {
      metric: props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' }),
      threshold: t.loadBalancer5xxPerMinute,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    this.alarm('UnhealthyGatewayTasks', 'A gateway task fails the load balancer’s health check', {
      metric: props.gatewayTargets.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 5,
    });
    this.alarm('GatewaySlow', 'The gateway’s p99 answer time is high', {
      metric: props.gatewayTargets.metrics.targetResponseTime({ period: minute, statistic: 'p99' }),
      threshold: t.gatewayP99Seconds,
      evaluationPeriods: 5,
    });

    this.alarm('DatabaseCpu', 'The database’s CPU is high', {
      metric: props.database.metricCPUUtilization({ period: minute }),
      threshold: t.databaseCpuPercent,
      evaluationPeriods: 10,
    });
    this.alarm('DatabaseStorage', 'The database is running out of storage', {
      metric: props.database.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }),
      threshold: t.databaseFreeStorageBytes,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.alarm('DatabaseConnections', 'The database’s connections near its limit', {
      metric: props.database.metricDatabaseConnections({ period: minute, statistic: 'Maximum' }),
      threshold: t.databaseConnections,
      evaluationPeriods: 10,
    });

    for (let node = 1; node <= props.cache.nodes; node++) {
      const dimensionsMap = { CacheClusterId: Fn.join('', [props.cache.replicationGroupId, `-00${node}`]) };
      this.alarm(`CacheCpu${node}`, `Redis node ${node}’s engine CPU is high`, {
        metric: new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName: 'EngineCPUUtilization', dimensionsMap, period: minute, statistic: 'Maximum' }),
        threshold: t.cacheCpuPercent,
        evaluationPeriods: 10,
      });
      this.alarm(`CacheMemory${node}`, `Redis node ${node}’s memory is nearly full`, {
        metric: new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName: 'DatabaseMemoryUsagePercentage', dimensionsMap, period: minute, statistic: 'Maximum' }),
        threshold: t.cacheMemoryPercent,
        evaluationPeriods: 10,
      });
    }

    for (const [name, { service, minimumTasks }] of Object.entries(props.services)) {
      const label = name[0]!.toUpperCase() + name.slice(1);
      this.alarm(`${label}TasksShort`, `Fewer ${name} tasks run than its minimum`, {
        // Container Insights (on for the cluster) counts the running tasks.
        metric: new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          dimensionsMap: { ClusterName: props.clusterName, ServiceName: service.serviceName },
          period: minute,
          statistic: 'Minimum',
        }),
        threshold: minimumTasks,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 5,
        // No data: the service or the metrics are gone, which is trouble too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      this.alarm(`${label}Cpu`, `The ${name} tasks’ CPU is high`, {
        metric: service.metricCpuUtilization({ period: minute }),
        threshold: t.serviceCpuPercent,
        evaluationPeriods: 10,
      });
      // A deployment that makes the gateway answer 5xx is rolled back, whichever service it brings
      // (booking's failures reach buyers as the gateway's 5xx). The price: an unrelated burst of
      // 5xx during a deployment rolls it back too.
      if (props.rollbackOnAlarms ?? true) {
        service.enableDeploymentAlarms([target5xx.alarmName, elb5xx.alarmName], { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
      }
    }
  }

  private alarm(
    id: string,
    description: string,
    options: Omit<cloudwatch.CreateAlarmOptions, 'alarmDescription' | 'alarmName'> & { metric: cloudwatch.IMetric },
  ): cloudwatch.Alarm {
    const { metric, ...rest } = options;
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      // Alarm names are unique per account and region: a second estate (another stack name) gets its own.
      alarmName: `${Stack.of(this).stackName}-${id.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`))}`,
      alarmDescription: description,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...rest,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    alarm.addOkAction(new cloudwatchActions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
