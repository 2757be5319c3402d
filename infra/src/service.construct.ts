/** One Stream-Seat service on Fargate: task definition, container, logs, health, rollout and scaling. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { ServiceSpec } from './service-catalog.js';

export interface AutoscalingSpec {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpuPercent: number;
  /**
   * Memory too: a crowd on the live seat map holds thousands of idle streams open — memory grows
   * (about 12 KB a stream in the fanout bench) while CPU stays low, and CPU alone would let a task
   * run out of it.
   */
  readonly targetMemoryPercent: number;
}

export interface FargateAppServiceProps {
  readonly cluster: ecs.ICluster;
  readonly spec: ServiceSpec;
  readonly image: ecs.ContainerImage;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly environment: Record<string, string>;
  readonly secrets?: Record<string, ecs.Secret>;
  /** Register the tasks in the cluster's Cloud Map namespace under this name. */
  readonly cloudMapName?: string;
  readonly autoscaling?: AutoscalingSpec;
}

/** Seconds between SIGTERM and SIGKILL for every container (see stopTimeout below). */
export const STOP_TIMEOUT_SECONDS = 45;

/**
 * Exits 0 when GET /started answers 2xx — the migrations ran and the instance registered once (see
 * @stream-seat/platform health.ts): ECS keeps a deploy's old tasks until the new ones pass it. It
 * was /health, which answers from the first moment: a deploy whose migration copied tables took
 * every old task away while no new one could serve. Not /ready, which follows the database too: a
 * fail-over would have every task replaced. Node's own fetch, since the slim image has no curl.
 */
export function healthCheckCommand(port: number): string[] {
  return [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${port}/started').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
  ];
}

/**
 * The init process, and no Linux capability at all: the services run as the unprivileged `node`
 * user on ports above 1024 and need none, so none can be regained (a setuid binary, say).
 */
function linuxParameters(scope: Construct): ecs.LinuxParameters {
  const parameters = new ecs.LinuxParameters(scope, 'Linux', { initProcessEnabled: true });
  parameters.dropCapabilities(ecs.Capability.ALL);
  return parameters;
}

/** NODE_OPTIONS the image sets (deploy/Dockerfile): the task's own NODE_OPTIONS replaces them, so it repeats them. */
export const IMAGE_NODE_OPTIONS = ['--enable-source-maps'];

/** The share of a task's memory V8's old generation may grow to; the rest is young generation, code, buffers. */
export const HEAP_SHARE_OF_TASK_MEMORY = 0.75;

/**
 * The task's NODE_OPTIONS: the image's flags and any the service's environment gives, with a heap
 * limit of HEAP_SHARE_OF_TASK_MEMORY of the task's memory. V8 sizes its default heap by itself, which
 * in a 1 GiB task may be far below the 70 % the memory scaling aims at: a task could die of "heap
 * out of memory" before scaling added tasks.
 */
export function nodeOptions(memoryMiB: number, given?: string): string {
  // The image's flags, then the environment's but for those (a flag's value given as its own
  // token stays beside it: a second `--require b.js` is not taken for a repeat).
  const flags: string[] = [];
  const tokens = [...IMAGE_NODE_OPTIONS, ...(given ?? '').split(/\s+/).filter((f) => !IMAGE_NODE_OPTIONS.includes(f))].filter((f) => f !== '');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    // The heap limit given either way (V8 reads `-` and `_` alike), `=512` or ` 512`: ours replaces it.
    const heapFlag = /^--max[-_]old[-_]space[-_]size(=|$)/.exec(token);
    if (heapFlag) {
      if (heapFlag[1] === '' && /^\d+$/.test(tokens[i + 1] ?? '')) i++;
      continue;
    }
    flags.push(token);
  }
  return [...flags, `--max-old-space-size=${Math.floor(memoryMiB * HEAP_SHARE_OF_TASK_MEMORY)}`].join(' ');
}

/** The longest start ECS allows before failed checks count: a first start may migrate for minutes. */
export const START_PERIOD_SECONDS = 300;

export class FargateAppService extends Construct {
  readonly service: ecs.FargateService;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: FargateAppServiceProps) {
    super(scope, id);
    const { spec } = props;

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: spec.cpu,
      memoryLimitMiB: spec.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/stream-seat/${spec.name}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.container = taskDefinition.addContainer('app', {
      containerName: spec.name,
      image: props.image,
      essential: true,
      portMappings: [{ containerPort: spec.port, name: spec.name }],
      environment: { ...props.environment, PORT: String(spec.port), NODE_OPTIONS: nodeOptions(spec.memoryMiB, props.environment.NODE_OPTIONS) },
      ...(props.secrets ? { secrets: props.secrets } : {}),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: spec.name, logGroup }),
      healthCheck: {
        command: healthCheckCommand(spec.port),
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(START_PERIOD_SECONDS),
      },
      // Node as PID 1 neither reaps children nor forwards signals well; the init does both.
      linuxParameters: linuxParameters(this),
      // Nothing in the image changes at run time (the services keep their data in RDS): a taken-over
      // process cannot rewrite the code it runs. Scratch space is the task's own /tmp, below.
      readonlyRootFilesystem: true,
      // SIGKILL comes this long after SIGTERM: it must outlast SHUTDOWN_GRACE_MS (12 s, serving
      // while gateways drop the instance) plus SHUTDOWN_TIMEOUT_MS (20 s of draining), with margin
      // for deregistration and onClose hooks. Fargate allows at most 120 s.
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
    });

    // Node's os.tmpdir() stays writable: a volume on the task's ephemeral storage, gone with the
    // task. It takes the mode of the image's `VOLUME /tmp` (1777, deploy/Dockerfile): without it
    // the volume is root's, 0755, and the node user could not write there.
    taskDefinition.addVolume({ name: 'tmp' });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: spec.name,
      cluster: props.cluster,
      taskDefinition,
      // A scaled service leaves its count to the scaling: a count in the template would be applied
      // again by every deploy (two tasks in the middle of an on-sale that had scaled to six).
      ...(props.autoscaling ? {} : { desiredCount: spec.desiredCount }),
      vpcSubnets: { subnetType: spec.subnets === 'public' ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      // A public subnet routes to the internet gateway, not a NAT: without a public IP the task
      // could not pull its image or ship its logs. Its security group still admits only the ALB.
      assignPublicIp: spec.subnets === 'public',
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: false,
      ...(props.cloudMapName
        ? {
            cloudMapOptions: {
              name: props.cloudMapName,
              dnsRecordType: servicediscovery.DnsRecordType.A,
              // Short TTL: a restarted registry gets a new IP and clients must follow it quickly.
              dnsTtl: Duration.seconds(10),
            },
          }
        : {}),
    });

    if (props.autoscaling) {
      const scaling = this.service.autoScaleTaskCount({
        minCapacity: props.autoscaling.minCapacity,
        maxCapacity: props.autoscaling.maxCapacity,
      });
      const cooldowns = { scaleInCooldown: Duration.minutes(5), scaleOutCooldown: Duration.minutes(1) };
      // Either policy scales out. Memory never scales in: a scale-in needs every policy to allow
      // it, and memory that V8 keeps after a peak (or streams that stay on the old tasks) could
      // hold a service at its maximum for good. CPU alone brings it back down.
      scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: props.autoscaling.targetCpuPercent, ...cooldowns });
      scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: props.autoscaling.targetMemoryPercent, ...cooldowns, disableScaleIn: true });
    }

    NagSuppressions.addResourceSuppressions(taskDefinition, [
      { id: 'AwsSolutions-ECS2', reason: 'Only non-secret configuration is passed as environment; credentials arrive through ECS secrets from Secrets Manager.' },
      { id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken has no resource-level permissions; CDK scopes every other action of the execution role.', appliesTo: ['Resource::*'] },
    ], true);
  }
}
