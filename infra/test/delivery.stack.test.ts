// The delivery stack: image repositories and the GitHub OIDC roles that CI/CD assumes.
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DeliveryStack, MANIFESTS_PER_RELEASE, RELEASES_KEPT } from '../src/delivery.stack.js';
import { synthApp, TEST_REPOSITORY } from './synth.js';

type Json = Record<string, unknown>;

let stack: DeliveryStack;
let template: Template;

beforeAll(() => {
  const app = synthApp();
  stack = app.delivery;
  template = Template.fromStack(stack);
  expect(app.estate).toBeUndefined();
});

function roleNamed(name: string): Json {
  const found = Object.values(template.findResources('AWS::IAM::Role')).find((r) => (r.Properties as Json).RoleName === name);
  if (!found) throw new Error(`no role ${name}`);
  return found.Properties as Json;
}

describe('delivery stack', () => {
  it('creates one scanned, immutable-tag ECR repository per service, kept on stack deletion', () => {
    for (const name of ['discovery', 'gateway', 'event', 'booking']) {
      template.hasResource('AWS::ECR::Repository', {
        Properties: Match.objectLike({
          RepositoryName: `stream-seat/${name}`,
          ImageTagMutability: 'IMMUTABLE',
          ImageScanningConfiguration: { ScanOnPush: true },
        }),
        DeletionPolicy: 'Retain',
      });
    }
    template.resourceCountIs('AWS::ECR::Repository', 4);
  });

  it('keeps the images of the last 50 releases, counting what release.yml pushes per release as ECR counts images', () => {
    const workflow = readFileSync(fileURLToPath(new URL('../../.github/workflows/release.yml', import.meta.url)), 'utf8');
    const platforms = /^\s*platforms: (.+)$/m.exec(workflow)?.[1]?.split(',') ?? [];
    // An image index and one image per platform; attestation manifests would count too.
    expect(workflow).toMatch(/^\s*provenance: false$/m);
    expect(1 + platforms.length).toBe(MANIFESTS_PER_RELEASE);
    for (const repository of Object.values(template.findResources('AWS::ECR::Repository'))) {
      const policy = JSON.parse(((repository.Properties as Json).LifecyclePolicy as Json).LifecyclePolicyText as string) as { rules: Array<{ selection: Json }> };
      expect(policy.rules.map((r) => r.selection)).toEqual([{ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: RELEASES_KEPT * MANIFESTS_PER_RELEASE }]);
    }
    expect(RELEASES_KEPT).toBe(50);
  });

  it('trusts GitHub Actions through an OIDC provider for sts.amazonaws.com', () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('lets only main of this repository assume the release role (no tag: a tag\'s run brings its own workflow)', () => {
    const trust = roleNamed('stream-seat-github-release').AssumeRolePolicyDocument as { Statement: Json[] };
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': [`repo:${TEST_REPOSITORY}:ref:refs/heads/main`] },
        },
      }),
    ]);
  });

  it('lets only the protected production environment of this repository assume the deploy role', () => {
    const trust = roleNamed('stream-seat-github-deploy').AssumeRolePolicyDocument as { Statement: Json[] };
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': [`repo:${TEST_REPOSITORY}:environment:production`] },
        },
      }),
    ]);
  });

  it('gives the release role push and look-up rights on the repositories, and the deploy role only the CDK bootstrap roles', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p.Properties));
    const release = policies.find((p) => p.includes('ReleaseRole'));
    const deploy = policies.find((p) => p.includes('DeployRole'));
    expect(release).toContain('ecr:PutImage');
    // release.yml's "is this commit's image already there?" (describe-images) needs it.
    expect(release).toContain('ecr:DescribeImages');
    expect(release).not.toContain('sts:AssumeRole');
    expect(deploy).toContain('sts:AssumeRole');
    expect(deploy).toContain(':role/cdk-*-');
    expect(deploy).not.toContain('ecr:PutImage');
  });

  it('passes cdk-nag AwsSolutions with every suppression explained', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].map((f) => f.id)).toEqual([]);
  });

  it('refuses a repository that is not owner/name', () => {
    expect(() => synthApp({ githubRepository: 'not a repo' })).toThrow(/owner\/name/);
  });
});
