/** Builds the CDK app from its context: the delivery stack always, the estate once an image tag is given. */
import { Aspects, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeliveryStack } from './delivery.stack.js';
import { StreamSeatStack } from './stream-seat.stack.js';

export const DELIVERY_STACK = 'StreamSeatDelivery';
export const ESTATE_STACK = 'StreamSeat';

export interface StreamSeatApp {
  readonly delivery: DeliveryStack;
  readonly estate?: StreamSeatStack;
}

/**
 * Context keys: imageTag, githubRepository, githubOidcProviderArn, certificateArn (or allowHttp=true), natGateways,
 * region (the estate's region, which enables ALB access logs; else CDK_DEFAULT_REGION, which the CDK CLI sets), jwtJwksUrl, jwtIssuer, jwtAudience, testPayments,
 * webOidcClientId (the web app's client id at that issuer: users sign in on its page),
 * webConnectOrigins (comma-separated: a token endpoint on another origin than the issuer, as Cognito's),
 * databaseUserGeneration (bump it to replace the services' database secrets: new passwords),
 * alarmEmail (subscribed to the alarms' topic), deploymentAlarms=false (no rollback on the gateway's 5xx alarms).
 */
export function buildStreamSeatApp(app: App): StreamSeatApp {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };

  const githubRepository = context('githubRepository');
  if (!githubRepository) throw new Error('set the context githubRepository (owner/name) in cdk.json or with -c');
  const oidcProviderArn = context('githubOidcProviderArn');
  const delivery = new DeliveryStack(app, DELIVERY_STACK, {
    description: 'Stream-Seat delivery: ECR repositories and GitHub OIDC roles',
    githubRepository,
    ...(oidcProviderArn ? { existingOidcProviderArn: oidcProviderArn } : {}),
  });

  const imageTag = context('imageTag');
  let estate: StreamSeatStack | undefined;
  if (imageTag) {
    const natGateways = context('natGateways');
    const certificateArn = context('certificateArn');
    // Buyers' tokens and card tokens cross the internet to the load balancer: plain HTTP only when asked for.
    if (!certificateArn && context('allowHttp') !== 'true') {
      throw new Error('set the context certificateArn (an ACM certificate for the load balancer: HTTPS), or allowHttp=true for an estate served over plain HTTP (a trial): tokens would cross the internet in clear text');
    }
    const jwksUrl = context('jwtJwksUrl');
    const issuer = context('jwtIssuer');
    const audience = context('jwtAudience');
    const webClientId = context('webOidcClientId');
    const webConnectOrigins = context('webConnectOrigins');
    if (webClientId && !(jwksUrl && issuer)) throw new Error('webOidcClientId needs jwtJwksUrl and jwtIssuer: the web app signs users in at that issuer');
    // Without an issuer, any token the key set's owner signed (another tenant's, another app's) would pass.
    if (jwksUrl && !issuer) throw new Error('jwtJwksUrl needs jwtIssuer: the issuer whose tokens the services accept');
    // Anyone who signs up at the identity provider could then pay with tok_ok: free tickets.
    if (jwksUrl && context('testPayments') !== 'true') {
      throw new Error('jwtJwksUrl lets anyone with an account at the identity provider sign in, and the only payment provider is the built-in test one (tok_ok pays for anything): set testPayments=true to accept that (a trial), or wire in a real provider first');
    }
    // The estate's region is always pinned, so that every synth of it is the same template: the
    // CLI sets CDK_DEFAULT_REGION to the region it deploys an unpinned stack to (AWS_REGION, else
    // the profile's), the Deploy workflow passes -c region=$AWS_REGION, the same region. Unpinned
    // (a workstation's `cdk deploy` without -c region), the template dropped the load balancer's
    // access logs, orphaning their retained bucket, and changed every task definition; the next
    // deploy from CI created a second bucket.
    const region = context('region') ?? nonEmpty(process.env.CDK_DEFAULT_REGION);
    if (!region) {
      throw new Error('set the estate\'s region: -c region=<region> (the Deploy workflow\'s AWS_REGION), or run the app through the CDK CLI, which passes the region it deploys to (CDK_DEFAULT_REGION)');
    }
    const databaseUserGeneration = context('databaseUserGeneration');
    const alarmEmail = context('alarmEmail');
    estate = new StreamSeatStack(app, ESTATE_STACK, {
      env: { region },
      description: 'Stream-Seat: VPC, ECS Fargate services, Cloud Map, RDS MySQL, Redis, ALB, bastion',
      imageTag,
      ...(natGateways ? { natGateways: Number(natGateways) } : {}),
      ...(databaseUserGeneration ? { databaseUserGeneration: Number(databaseUserGeneration) } : {}),
      ...(certificateArn ? { certificateArn } : {}),
      ...(alarmEmail ? { alarmEmail } : {}),
      ...(context('deploymentAlarms') === 'false' ? { deploymentAlarms: false } : {}),
      ...(jwksUrl && issuer
        ? { jwt: { jwksUrl, issuer, ...(audience ? { audience } : {}), ...(webClientId ? { webClientId } : {}), ...(webConnectOrigins ? { webConnectOrigins } : {}) } }
        : {}),
    });
  } else {
    // Without a tag there is nothing to run yet: the first deploy creates the repositories only.
    console.error(`no -c imageTag=<sha>: synthesizing ${DELIVERY_STACK} only`);
  }

  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return estate ? { delivery, estate } : { delivery };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
