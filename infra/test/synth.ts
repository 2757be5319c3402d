/** Synthesizes the CDK app the way `cdk synth` does, without the CLI's slow template validation. */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { buildStreamSeatApp, type StreamSeatApp } from '../src/stream-seat.app.js';

export const TEST_REPOSITORY = 'acme/stream-seat';
/** The estate's region in the tests, as the Deploy workflow pins it (`-c region=$AWS_REGION`). */
export const TEST_REGION = 'eu-west-1';

/** cdk.json's context, which the CLI gives the app: its feature flags shape the template too. */
export const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};

export function synthApp(context: Record<string, string> = {}): StreamSeatApp {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({
    // Plain HTTP unless a test gives a certificate (or says otherwise): most tests look at other things.
    context: {
      ...CDK_JSON_CONTEXT,
      githubRepository: TEST_REPOSITORY,
      region: TEST_REGION,
      ...(context.certificateArn ? {} : { allowHttp: 'true' }),
      ...context,
    },
    builtinCloudFormationValidation: false,
  });
  return buildStreamSeatApp(app);
}
