/** Synthesizes the CDK app the way `cdk synth` does, without the CLI's slow template validation. */
import { App } from 'aws-cdk-lib';
import { buildStreamSeatApp, type StreamSeatApp } from '../src/stream-seat.app.js';

export const TEST_REPOSITORY = 'acme/stream-seat';

export function synthApp(context: Record<string, string> = {}): StreamSeatApp {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({
    // Plain HTTP unless a test gives a certificate (or says otherwise): most tests look at other things.
    context: { githubRepository: TEST_REPOSITORY, ...(context.certificateArn ? {} : { allowHttp: 'true' }), ...context },
    builtinCloudFormationValidation: false,
  });
  return buildStreamSeatApp(app);
}
