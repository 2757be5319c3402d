/** The Lambda entry: the custom resource (custom-resource.ts) with Secrets Manager and a TLS connection to RDS. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createConnection } from 'mysql2/promise';
import { createHandler } from './custom-resource.js';

const secretsManager = new SecretsManagerClient({});

export const handler = createHandler({
  async readSecret(arn) {
    const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error(`secret ${arn} has no string value`);
    return SecretString;
  },
  // RDS refuses clear text (require_secure_transport=ON); mysql2 carries the RDS CA bundle.
  connect: (options) => createConnection({ ...options, ssl: 'Amazon RDS', connectTimeout: 10_000 }),
  log: (line) => console.log(line),
});
