/** The CDK app entry (`cdk synth -c imageTag=<sha>`): environment-agnostic, no lookups, no credentials. */
import { App } from 'aws-cdk-lib';
import { buildStreamSeatApp } from './stream-seat.app.js';

const app = new App();
buildStreamSeatApp(app);
app.synth();
