// The estate's optional context: HTTPS with a certificate, a pinned region (ALB access logs), JWKS auth.
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StreamSeatStack } from '../src/stream-seat.stack.js';
import { synthApp } from './synth.js';

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

let stack: StreamSeatStack;
let template: Template;

beforeAll(() => {
  const { estate } = synthApp({
    imageTag: 'abc123',
    certificateArn: CERTIFICATE,
    region: 'eu-west-1',
    natGateways: '2',
    jwtJwksUrl: 'https://id.example.com/.well-known/jwks.json',
    jwtIssuer: 'https://id.example.com/',
    testPayments: 'true',
    webOidcClientId: 'stream-seat-web',
    webConnectOrigins: 'https://seats.auth.eu-west-1.amazoncognito.com',
  });
  if (!estate) throw new Error('the estate stack was not synthesized');
  stack = estate;
  template = Template.fromStack(stack);
});

describe('with a certificate, a region and an identity provider', () => {
  it('serves HTTPS on 443 with the certificate and redirects 80 to it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })],
    });
  });

  it('opens exactly 80 and 443 to the world, on the load balancer only', () => {
    const open = Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap(
      (g) => ((g.Properties as { SecurityGroupIngress?: { CidrIp?: string; FromPort: number }[] }).SecurityGroupIngress ?? []),
    );
    expect(open.filter((r) => r.CidrIp === '0.0.0.0/0').map((r) => r.FromPort).sort()).toEqual([443, 80]);
    // The standalone service-to-service rules; stream-seat.stack.test.ts lists each one.
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 14);
  });

  it('writes ALB access logs to an encrypted, private bucket', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it('runs one NAT gateway per AZ when asked', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  it('verifies tokens against the JWKS URL and generates no shared key', () => {
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
      (t) => (t.Properties as { ContainerDefinitions: { Name: string; Environment?: { Name: string; Value: unknown }[]; Secrets?: { Name: string }[] }[] }).ContainerDefinitions,
    );
    for (const c of containers.filter((c) => c.Name !== 'discovery')) {
      const env = Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, e.Value]));
      expect(env).toMatchObject({ AUTH_MODE: 'jwks', JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json', JWT_ISSUER: 'https://id.example.com/' });
      expect((c.Secrets ?? []).map((s) => s.Name)).not.toContain('JWT_SECRET');
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('stream-seat/jwt');
    // The registry token is no part of the user-facing auth: it stays, in all four containers.
    expect(containers.map((c) => c.Name).sort()).toEqual(['booking', 'discovery', 'event', 'gateway']);
    for (const c of containers) expect((c.Secrets ?? []).map((s) => s.Name), c.Name).toContain('REGISTRY_TOKEN');
  });

  it('lets the web app sign users in at that issuer: the gateway alone gets the client id', () => {
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
      (t) => (t.Properties as { ContainerDefinitions: { Name: string; Environment?: { Name: string; Value: unknown }[] }[] }).ContainerDefinitions,
    );
    const clientIds = Object.fromEntries(containers.map((c) => [c.Name, (c.Environment ?? []).find((e) => e.Name === 'WEB_OIDC_CLIENT_ID')?.Value]));
    expect(clientIds).toEqual({ discovery: undefined, event: undefined, booking: undefined, gateway: 'stream-seat-web' });
    const origins = Object.fromEntries(containers.map((c) => [c.Name, (c.Environment ?? []).find((e) => e.Name === 'WEB_CONNECT_ORIGINS')?.Value]));
    expect(origins).toEqual({ discovery: undefined, event: undefined, booking: undefined, gateway: 'https://seats.auth.eu-west-1.amazoncognito.com' });
  });

  it('refuses a web client id without an issuer to sign in at', () => {
    expect(() => synthApp({ imageTag: 'abc123', webOidcClientId: 'stream-seat-web' })).toThrow(/jwtJwksUrl and jwtIssuer/);
  });

  it('refuses a key set without the issuer whose tokens it accepts', () => {
    expect(() => synthApp({ imageTag: 'abc123', jwtJwksUrl: 'https://id.example.com/.well-known/jwks.json' })).toThrow(/jwtJwksUrl needs jwtIssuer/);
  });

  it('refuses real sign-ins with the test payment provider (free tickets) unless told to (testPayments=true)', () => {
    const signIns = { imageTag: 'abc123', jwtJwksUrl: 'https://id.example.com/.well-known/jwks.json', jwtIssuer: 'https://id.example.com/' };
    expect(() => synthApp(signIns)).toThrow(/testPayments=true/);
    expect(synthApp({ ...signIns, testPayments: 'true' }).estate).toBeDefined();
    // The generated shared key signs no stranger in: no acknowledgement needed.
    expect(synthApp({ imageTag: 'abc123' }).estate).toBeDefined();
  });

  it('still passes cdk-nag AwsSolutions', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`)).toEqual([]);
  });
});

describe('without a certificate', () => {
  it('refuses to serve the estate over plain HTTP unless told to (allowHttp=true)', () => {
    expect(() => synthApp({ imageTag: 'abc123', allowHttp: '' })).toThrow(/certificateArn.*allowHttp=true/);
    expect(synthApp({ imageTag: 'abc123', allowHttp: 'true' }).estate).toBeDefined();
    // The delivery stack alone (no image yet) needs neither.
    expect(synthApp({ allowHttp: '' }).estate).toBeUndefined();
  });
});

describe('adding a certificate to a trial estate (allowHttp)', () => {
  type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const resourcesOf = (context: Record<string, string>): Resources =>
    Template.fromStack(synthApp({ imageTag: 'abc123', ...context }).estate!).toJSON().Resources as Resources;
  const ids = (resources: Resources, type: string, port?: number) =>
    Object.entries(resources).filter(([, r]) => r.Type === type && (port === undefined || r.Properties.Port === port)).map(([id]) => id);

  it('updates the port-80 listener and the gateway target group in place: the same logical ids with and without a certificate', () => {
    // A new port-80 listener is created before the old one is deleted, and the load balancer refuses
    // a second listener on a port: the update rolled back. A new target group replaced the old.
    const trial = resourcesOf({ allowHttp: 'true' });
    const withCertificate = resourcesOf({ certificateArn: CERTIFICATE });
    const listener = 'AWS::ElasticLoadBalancingV2::Listener';
    const targetGroup = 'AWS::ElasticLoadBalancingV2::TargetGroup';
    expect(ids(trial, listener, 80)).toHaveLength(1);
    expect(ids(withCertificate, listener, 80)).toEqual(ids(trial, listener, 80));
    expect(ids(trial, targetGroup)).toHaveLength(1);
    expect(ids(withCertificate, targetGroup)).toEqual(ids(trial, targetGroup));

    const [port80] = ids(trial, listener, 80) as [string];
    const [gateway] = ids(trial, targetGroup) as [string];
    const forward = [{ Type: 'forward', TargetGroupArn: { Ref: gateway } }];
    // Without a certificate port 80 serves the gateway; with one it redirects, and 443 serves it.
    expect(trial[port80]?.Properties.DefaultActions).toEqual(forward);
    expect(withCertificate[port80]?.Properties.DefaultActions).toEqual([expect.objectContaining({ Type: 'redirect', RedirectConfig: expect.objectContaining({ Port: '443', Protocol: 'HTTPS' }) })]);
    const [port443] = ids(withCertificate, listener, 443) as [string];
    expect(withCertificate[port443]?.Properties.DefaultActions).toEqual(forward);
    for (const resources of [trial, withCertificate]) {
      const service = Object.values(resources).find((r) => r.Type === 'AWS::ECS::Service' && r.Properties.ServiceName === 'gateway');
      expect(service?.Properties.LoadBalancers).toEqual([expect.objectContaining({ TargetGroupArn: { Ref: gateway } })]);
    }
  });
});

describe('the estate\'s region', () => {
  /** Runs with CDK_DEFAULT_REGION as the CDK CLI would set it (the region it deploys to), or unset. */
  function withCliRegion<T>(region: string | undefined, run: () => T): T {
    const saved = process.env.CDK_DEFAULT_REGION;
    if (region === undefined) delete process.env.CDK_DEFAULT_REGION;
    else process.env.CDK_DEFAULT_REGION = region;
    try {
      return run();
    } finally {
      if (saved === undefined) delete process.env.CDK_DEFAULT_REGION;
      else process.env.CDK_DEFAULT_REGION = saved;
    }
  }

  it('is pinned whoever synthesizes: without -c region, the region the CDK CLI deploys to, and the same template as the Deploy workflow\'s -c region', () => {
    // Unpinned (a workstation's `cdk deploy` without -c region), the load balancer's access logs
    // were dropped and every task definition changed; the next CI deploy created a second bucket.
    const pinned = Template.fromStack(withCliRegion('us-east-1', () => synthApp({ imageTag: 'abc123', region: 'eu-west-1' })).estate!);
    const fromCli = withCliRegion('eu-west-1', () => synthApp({ imageTag: 'abc123', region: '' })).estate!;
    expect(fromCli.region).toBe('eu-west-1');
    expect(Template.fromStack(fromCli).toJSON()).toEqual(pinned.toJSON());
    pinned.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
  });

  it('refuses to synthesize the estate with no region at all, naming -c region=<region>; the delivery stack needs none', () => {
    withCliRegion(undefined, () => {
      expect(() => synthApp({ imageTag: 'abc123', region: '' })).toThrow(/-c region=<region>/);
      expect(synthApp({ region: '' }).estate).toBeUndefined();
    });
  });
});
