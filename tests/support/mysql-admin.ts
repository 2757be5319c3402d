/** Administrative SQL against the MYSQL_URL server, for tests that inspect or drop databases. */
import { createConnection } from 'mysql2';

export function mysqlServer(): URL {
  return new URL(process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306');
}

/** `user[:password]` of the MYSQL_URL, for building URLs to other databases on the server. */
export function mysqlCredentials(server = mysqlServer()): string {
  return `${server.username || 'root'}${server.password ? `:${server.password}` : ''}`;
}

export async function mysqlAdmin<T>(query: string, server = mysqlServer()): Promise<T> {
  const connection = createConnection({
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username || 'root'),
    password: decodeURIComponent(server.password),
  }).promise();
  try {
    return (await connection.query(query))[0] as T;
  } finally {
    await connection.end();
  }
}
