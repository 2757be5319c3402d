/**
 * The custom resource's logic, free of AWS and network clients (handler.ts supplies them): on Create
 * and Update, reads the master secret and each service's secret and provisions the users
 * (provision.ts); on Delete, does nothing, so that removing the resource never drops a user or data.
 */
import { provisionServiceUsers, type ServiceUser, type SqlConnection } from './provision.js';

/** The properties DatabaseUsers gives the resource: ARNs and names only, never a secret value. */
export interface DatabaseUsersProperties {
  readonly MasterSecretArn: string;
  readonly Users: readonly { readonly SecretArn: string; readonly Database: string }[];
  /** CloudFormation hands every property over as a string. */
  readonly RequireTls: string | boolean;
}

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: DatabaseUsersProperties & { readonly ServiceToken?: string };
  /** On Update: the properties of the run before. */
  readonly OldResourceProperties?: DatabaseUsersProperties;
}

export interface CustomResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The JSON of an RDS secret attached to its instance (the same shape the services' DB_SECRET takes). */
interface DbSecretJson {
  username?: unknown;
  password?: unknown;
  host?: unknown;
  port?: unknown;
}

export interface HandlerDeps {
  readSecret(arn: string): Promise<string>;
  connect(options: { host: string; port: number; user: string; password: string }): Promise<SqlConnection & { end(): Promise<void> }>;
  log(line: string): void;
}

/** One resource per stack: its id never changes, so an Update never makes CloudFormation delete the old one. */
export const PHYSICAL_ID = 'stream-seat-database-users';

function parseSecret(arn: string, json: string, needHost: boolean): { username: string; password: string; host: string; port: number } {
  let value: DbSecretJson;
  try {
    value = JSON.parse(json) as DbSecretJson;
  } catch {
    throw new Error(`secret ${arn} is not JSON`);
  }
  const { username, password, host, port } = value;
  if (typeof username !== 'string' || !username) throw new Error(`secret ${arn} has no username`);
  if (typeof password !== 'string' || !password) throw new Error(`secret ${arn} has no password`);
  if (needHost && (typeof host !== 'string' || !host)) throw new Error(`secret ${arn} has no host`);
  return { username, password, host: typeof host === 'string' ? host : '', port: Number(port ?? 3306) };
}

export function createHandler(deps: HandlerDeps) {
  return async function handler(event: CustomResourceEvent): Promise<CustomResourceResult> {
    const props = event.ResourceProperties;
    const users = props.Users.map((u) => ({ secretArn: u.SecretArn, database: u.Database }));
    deps.log(JSON.stringify({ requestType: event.RequestType, databases: users.map((u) => u.database) }));
    if (event.RequestType === 'Delete') {
      // Keep the users and their data: a stack that drops this resource must not lock services out.
      return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID };
    }

    const master = parseSecret(props.MasterSecretArn, await deps.readSecret(props.MasterSecretArn), true);
    const serviceUsers: ServiceUser[] = [];
    // A secret the run before provisioned already (an Update for other reasons: new code, a TLS
    // change): its password is the user's, and is not set again — that would replace the password
    // kept for tasks still on the previous one with this same one.
    const provisionedBefore = new Set((event.OldResourceProperties?.Users ?? []).map((u) => u.SecretArn));
    for (const u of users) {
      const secret = parseSecret(u.secretArn, await deps.readSecret(u.secretArn), false);
      serviceUsers.push({ username: secret.username, password: secret.password, database: u.database, passwordUnchanged: provisionedBefore.has(u.secretArn) });
    }

    const connection = await deps.connect({ host: master.host, port: master.port, user: master.username, password: master.password });
    try {
      await provisionServiceUsers(connection, serviceUsers, {
        requireTls: String(props.RequireTls) === 'true',
        adminUsername: master.username,
      });
    } finally {
      await connection.end().catch(() => undefined);
    }
    const provisioned = serviceUsers.map((u) => `${u.username}@${u.database}`).join(',');
    deps.log(JSON.stringify({ provisioned }));
    return { PhysicalResourceId: PHYSICAL_ID, Data: { Users: provisioned } };
  };
}
