/** The CDK app entry (`cdk synth -c imageTag=<sha>`): account-agnostic, the estate pinned to a region (-c region, else the CLI's), no lookups, no credentials. */
import { App } from 'aws-cdk-lib';
import { buildStreamSeatApp } from './stream-seat.app.js';

const app = new App();
buildStreamSeatApp(app);
app.synth();
