/** What CI/CD needs before the first release: ECR repositories and GitHub OIDC roles, no stored keys. */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { SERVICE_NAMES, repositoryName, type ServiceName } from './service-catalog.js';

export interface DeliveryStackProps extends StackProps {
  /** `owner/name` of the GitHub repository allowed to assume the roles. */
  readonly githubRepository: string;
  /** An account holds one provider per issuer: pass its ARN when it already exists. */
  readonly existingOidcProviderArn?: string;
  /** The GitHub environment whose jobs may deploy (protected by required reviewers). */
  readonly deployEnvironment?: string;
}

const GITHUB_ISSUER = 'token.actions.githubusercontent.com';

/** Releases whose images ECR keeps, for rollbacks. */
export const RELEASES_KEPT = 50;
/**
 * What one release pushes per service, as ECR counts images: an image index and its two platform
 * images (release.yml builds linux/amd64 and linux/arm64, without attestation manifests — with
 * them, five: a rule of 50 images kept 10 releases, not the 50 the README promised).
 */
export const MANIFESTS_PER_RELEASE = 3;

export class DeliveryStack extends Stack {
  readonly repositories: Record<ServiceName, ecr.Repository>;
  readonly releaseRole: iam.Role;
  readonly deployRole: iam.Role;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);
    if (!/^[\w.-]+\/[\w.-]+$/.test(props.githubRepository)) {
      throw new Error(`githubRepository must be "owner/name", got "${props.githubRepository}"`);
    }
    const repo = props.githubRepository;
    const environment = props.deployEnvironment ?? 'production';

    this.repositories = Object.fromEntries(
      SERVICE_NAMES.map((name) => [
        name,
        new ecr.Repository(this, `${name}Repository`, {
          repositoryName: repositoryName(name),
          // Tags are commit SHAs: a tag that could move would make rollbacks lie.
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
          imageScanOnPush: true,
          removalPolicy: RemovalPolicy.RETAIN,
          // Counted in manifests, not releases: each release is an image index and its platform images.
          lifecycleRules: [{ description: `keep the last ${RELEASES_KEPT} releases for rollbacks`, maxImageCount: RELEASES_KEPT * MANIFESTS_PER_RELEASE }],
        }),
      ]),
    ) as Record<ServiceName, ecr.Repository>;

    const providerArn =
      props.existingOidcProviderArn ??
      new iam.OidcProviderNative(this, 'GithubOidc', {
        url: `https://${GITHUB_ISSUER}`,
        clientIds: ['sts.amazonaws.com'],
      }).oidcProviderArn;

    const githubPrincipal = (subjects: string[]) =>
      new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: { [`${GITHUB_ISSUER}:aud`]: 'sts.amazonaws.com' },
        StringLike: { [`${GITHUB_ISSUER}:sub`]: subjects },
      });

    // Release: push images from main, nothing else — a version is named by a run on main too. It
    // had trusted v* tags: a tag's run takes its workflow from the tagged commit, so whoever could
    // push a tag could push an image under a SHA of main before its own release built it.
    this.releaseRole = new iam.Role(this, 'ReleaseRole', {
      roleName: 'stream-seat-github-release',
      description: `GitHub Actions in ${repo}: push images to ECR`,
      assumedBy: githubPrincipal([`repo:${repo}:ref:refs/heads/main`]),
      maxSessionDuration: Duration.hours(1),
    });
    for (const repository of Object.values(this.repositories)) {
      repository.grantPullPush(this.releaseRole);
      // release.yml asks whether a commit's image exists before building (tags are immutable, so a
      // re-run must reuse it); grantPullPush leaves DescribeImages out.
      repository.grant(this.releaseRole, 'ecr:DescribeImages');
    }

    // Deploy: only jobs running in the protected environment, and only through the CDK bootstrap roles.
    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: 'stream-seat-github-deploy',
      description: `GitHub Actions in ${repo} (environment ${environment}): cdk deploy`,
      assumedBy: githubPrincipal([`repo:${repo}:environment:${environment}`]),
      maxSessionDuration: Duration.hours(1),
    });
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [`arn:${this.partition}:iam::${this.account}:role/cdk-*-${this.account}-${this.region}`],
      }),
    );
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WaitForServicesStable',
        actions: ['ecs:DescribeServices'],
        resources: [`arn:${this.partition}:ecs:${this.region}:${this.account}:service/stream-seat/*`],
      }),
    );

    NagSuppressions.addResourceSuppressions(this.releaseRole, [
      { id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken has no resource-level permissions; pushes are scoped to the four repositories.', appliesTo: ['Resource::*'] },
    ], true);
    NagSuppressions.addResourceSuppressions(this.deployRole, [
      { id: 'AwsSolutions-IAM5', reason: 'The CDK bootstrap roles (deploy, file and image publishing, lookup) share one name pattern per account and region.', appliesTo: ['Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-*-<AWS::AccountId>-<AWS::Region>'] },
      { id: 'AwsSolutions-IAM5', reason: 'Service ARNs carry the cluster name but not a fixed service id; the wildcard stays inside the stream-seat cluster.', appliesTo: ['Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/stream-seat/*'] },
    ], true);

    new CfnOutput(this, 'ReleaseRoleArn', { value: this.releaseRole.roleArn, description: 'GitHub variable AWS_RELEASE_ROLE_ARN' });
    new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.roleArn, description: 'GitHub variable AWS_DEPLOY_ROLE_ARN' });
  }
}
