/** The gateway process: configuration → registry client → app → listen. */
import { createServiceRegistryClient, loadConfig, loggerOptions, runService } from '@stream-seat/platform';
import pino from 'pino';
import { buildGatewayApp } from './app.js';
import { gatewayConfigSchema } from './config.js';

const config = loadConfig(gatewayConfigSchema);
const bootLog = pino(loggerOptions('gateway', config.LOG_LEVEL) as pino.LoggerOptions);
const registry = await createServiceRegistryClient(config, 'API-GATEWAY', config.PORT, bootLog);
const app = await buildGatewayApp({
  registry,
  devTokenSecret: config.AUTH_MODE === 'dev' ? config.JWT_SECRET : undefined,
  upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
  connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
  logLevel: config.LOG_LEVEL,
});
await runService({ app, appName: 'API-GATEWAY', port: config.PORT, config, printableConfig: config }, registry);
