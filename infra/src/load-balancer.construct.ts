/** The internet-facing Application Load Balancer: the only public door, forwarding to the gateway. */
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface LoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly gateway: ecs.FargateService;
  readonly gatewayPort: number;
  /** An ACM certificate ARN: serve HTTPS on 443 and redirect 80 to it. Without one, plain HTTP on 80. */
  readonly certificateArn?: string;
}

/**
 * Paths the load balancer answers 404 itself: operations endpoints, for the VPC only (with a
 * trailing slash too). A first line only: another spelling (`/%6detrics`) passes it, and the
 * gateway refuses those itself to callers outside TRUST_PROXY's network (edge/operator-network.ts).
 */
export const OPERATIONS_PATHS_NOT_PUBLIC = ['/metrics*', '/gateway/*', '/ready*', '/health*', '/started*'] as const;

/** The ports the listeners open to the world, for the security group that fronts them. */
export function publicPorts(certificateArn?: string): number[] {
  return certificateArn ? [80, 443] : [80];
}

/** How long the load balancer keeps an idle connection, to the client and to the gateway. */
export const ALB_IDLE_TIMEOUT_SECONDS = 60;

export class LoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  /** The gateway's tasks behind it: their health and answers are what the alarms watch. */
  readonly gatewayTargets: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
      // Seat streams (SSE) stay open: the gateway's heartbeats (every 15 s) arrive well inside
      // this window. It must be shorter than the gateway's keep-alive (72 s, KEEP_ALIVE_TIMEOUT_MS):
      // at 120 s the ALB could send a request on a connection the gateway had just closed (a 502).
      idleTimeout: Duration.seconds(ALB_IDLE_TIMEOUT_SECONDS),
      // Its DNS name is what buyers' DNS points at: deleted by a mistaken change or destroy, a new
      // one has another name, and the site is down until DNS follows.
      deletionProtection: true,
    });

    // Access logs need the region's ELB log-delivery principal, which an environment-agnostic
    // stack cannot name; `-c region=...` pins the region and turns them on.
    if (Token.isUnresolved(Stack.of(this).region)) {
      NagSuppressions.addResourceSuppressions(this.alb, [
        { id: 'AwsSolutions-ELB2', reason: 'Environment-agnostic synth: access logs are enabled when the region is pinned with -c region=<region>.' },
      ]);
    } else {
      const accessLogs = new s3.Bucket(this, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [{ expiration: Duration.days(90) }],
      });
      this.alb.logAccessLogs(accessLogs, 'alb');
      NagSuppressions.addResourceSuppressions(accessLogs, [
        { id: 'AwsSolutions-S1', reason: 'This bucket is itself the access-log destination; logging it would recurse.' },
      ]);
    }

    // Port 80 is one listener, `Http`, in both modes: it serves the gateway without a certificate
    // and redirects to 443 with one. Two construct ids (it was `Http` and `Redirect80To443`) made
    // adding a certificate to a running estate a second port-80 listener, created before the old
    // one was deleted: the load balancer refused the duplicate and the update rolled back.
    const http = this.alb.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      ...(props.certificateArn
        ? { defaultAction: elbv2.ListenerAction.redirect({ port: '443', protocol: elbv2.ApplicationProtocol.HTTPS, permanent: true }) }
        : {}),
    });
    const listener = props.certificateArn
      ? this.alb.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          open: false,
        })
      : http;

    // The gateway's operations endpoints answer on its own port — the ALB's health check and the
    // VPC reach them there — but not from the internet: its route table lists private task
    // addresses and circuit states, and metrics the runtime's versions.
    listener.addAction('OperationsNotPublic', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns([...OPERATIONS_PATHS_NOT_PUBLIC])],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/problem+json',
        messageBody: JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404 }),
      }),
    });

    // Its construct id and place (under the port-80 listener, where listener.addTargets had put
    // it) are the same in both modes: adding a certificate moves it to the 443 listener in place.
    // It was `AlbHttpsGatewayGroup` with a certificate, a new target group replacing the old.
    this.gatewayTargets = new elbv2.ApplicationTargetGroup(http, 'GatewayGroup', {
      vpc: props.vpc,
      port: props.gatewayPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [props.gateway],
      // ECS takes a stopping task out of the target group, waits the deregistration delay, then
      // sends SIGTERM: the ALB has stopped sending before the task drains (the gateway needs no
      // grace, see its SHUTDOWN_GRACE_MS). /ready keeps a task out until it can route.
      healthCheck: {
        path: '/ready',
        interval: Duration.seconds(15),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      deregistrationDelay: Duration.seconds(30),
    });
    listener.addTargetGroups('Gateway', { targetGroups: [this.gatewayTargets] });
  }
}
