/**
 * Registry under 10,000 instances: registers them, then renews each at its interval (30 s scaled
 * down to 5 s so the run stays under a minute) against the discovery server in a child process,
 * and reports renewal latency, the server's CPU, and the size and time of a full fetch. The peer,
 * in the same child and the same run, is a bare node:http server answering renewals with 200 and
 * serving the same registry JSON pre-serialized: the ratios are the cost of being a registry.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { percentile, report, summarize } from './bench-report.js';

const INSTANCES = 10_000;
const RENEW_MS = 5_000; // Eureka's 30 s, compressed 6×: 2,000 renewals a second
const RENEW_PHASE_MS = 20_000;
const PEER_PHASE_MS = 10_000;
const FETCHES = 20;

interface ServerPorts {
  discovery: number;
  bare: number;
}
type ServerMessage = { kind: 'ports'; ports: ServerPorts } | { kind: 'cpu'; usage: NodeJS.CpuUsage } | { kind: 'snapshot'; bytes: number };

async function runServer(): Promise<void> {
  const { buildDiscoveryApp } = await import('../services/discovery/src/app.js');
  const { app } = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  let snapshot: Buffer = Buffer.from('{}');
  let snapshotGzip: Buffer = gzipSync(snapshot);
  const bare = createServer((request, response) => {
    request.resume();
    if (request.method === 'PUT') return response.end();
    const gzip = /gzip/.test(String(request.headers['accept-encoding'] ?? ''));
    response.setHeader('content-type', 'application/json');
    if (gzip) response.setHeader('content-encoding', 'gzip');
    response.end(gzip ? snapshotGzip : snapshot);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const send = (message: ServerMessage) => process.send?.(message);
  process.on('message', async (message: string) => {
    if (message === 'cpu') send({ kind: 'cpu', usage: process.cpuUsage() });
    if (message === 'snapshot') {
      const res = await app.inject({ method: 'GET', url: '/eureka/apps', headers: { accept: 'application/json' } });
      snapshot = res.rawPayload;
      snapshotGzip = gzipSync(snapshot);
      send({ kind: 'snapshot', bytes: snapshot.length });
    }
    if (message === 'stop') {
      bare.close();
      await app.close();
      process.exit(0);
    }
  });
  send({ kind: 'ports', ports: { discovery: (app.server.address() as { port: number }).port, bare: (bare.address() as { port: number }).port } });
}

function instanceBody(i: number) {
  const port = 10_000 + (i % 50_000);
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return JSON.stringify({
    instance: {
      instanceId: `${ip}:svc-${i % 100}:${port}`,
      hostName: ip,
      app: `SERVICE-${i % 100}`,
      ipAddr: ip,
      status: 'UP',
      port: { $: port, '@enabled': 'true' },
      securePort: { $: 443, '@enabled': 'false' },
      vipAddress: `service-${i % 100}`,
      homePageUrl: `http://${ip}:${port}/`,
      statusPageUrl: `http://${ip}:${port}/health`,
      healthCheckUrl: `http://${ip}:${port}/health`,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 },
      metadata: { zone: `zone-${i % 3}` },
    },
  });
}
const renewPath = (i: number) => {
  const port = 10_000 + (i % 50_000);
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return `/eureka/apps/SERVICE-${i % 100}/${encodeURIComponent(`${ip}:svc-${i % 100}:${port}`)}`;
};

/** Each instance renews every RENEW_MS at its own phase, for `durationMs`; returns latencies and failures. */
async function renewLoad(pool: Pool, durationMs: number): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  let next = 0; // renewals issued so far; renewal k is instance k % N at time (k / N) * RENEW_MS
  const pending = new Set<Promise<void>>();
  while (performance.now() - start < durationMs) {
    const due = Math.floor(((performance.now() - start) / RENEW_MS) * INSTANCES);
    for (; next < due; next++) {
      const t0 = performance.now();
      const p = pool
        .request({ method: 'PUT', path: renewPath(next % INSTANCES) })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else failures++;
        })
        .catch(() => void failures++)
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(5);
  }
  await Promise.all(pending);
  return { latencies, failures };
}

async function fetchTimes(pool: Pool, gzip: boolean): Promise<{ ms: number[]; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < FETCHES; i++) {
    const t0 = performance.now();
    const res = await pool.request({ method: 'GET', path: '/eureka/apps', headers: { accept: 'application/json', ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } });
    bytes = (await res.body.arrayBuffer()).byteLength;
    ms.push(performance.now() - t0);
  }
  return { ms, bytes };
}

async function main(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, [], {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env: { ...process.env, BENCH_ROLE: 'server' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const nextMessage = <K extends ServerMessage['kind']>(kind: K) =>
    new Promise<Extract<ServerMessage, { kind: K }>>((resolve) => {
      const on = (m: ServerMessage) => {
        if (m.kind === kind) {
          child.off('message', on);
          resolve(m as Extract<ServerMessage, { kind: K }>);
        }
      };
      child.on('message', on);
    });
  const { ports } = await nextMessage('ports');
  const cpu = async () => {
    const reply = nextMessage('cpu');
    child.send('cpu');
    return (await reply).usage;
  };
  const discovery = new Pool(`http://127.0.0.1:${ports.discovery}`, { connections: 32 });
  const bare = new Pool(`http://127.0.0.1:${ports.bare}`, { connections: 32 });

  const t0 = performance.now();
  for (let i = 0; i < INSTANCES; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, k) =>
        discovery
          .request({ method: 'POST', path: `/eureka/apps/SERVICE-${(i + k) % 100}`, body: instanceBody(i + k), headers: { 'content-type': 'application/json' } })
          .then((res) => res.body.dump()),
      ),
    );
  }
  const registerMs = performance.now() - t0;

  const cpuBefore = await cpu();
  const wallBefore = performance.now();
  const renewals = await renewLoad(discovery, RENEW_PHASE_MS);
  const cpuAfter = await cpu();
  const cpuPercent = ((cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000 / (performance.now() - wallBefore)) * 100;
  const peerRenewals = await renewLoad(bare, PEER_PHASE_MS);

  const snapshot = nextMessage('snapshot');
  child.send('snapshot');
  await snapshot;
  const full = await fetchTimes(discovery, false);
  const fullGzip = await fetchTimes(discovery, true);
  const peerFull = await fetchTimes(bare, false);
  const peerGzip = await fetchTimes(bare, true);

  const p95 = (samples: number[]) => percentile([...samples].sort((a, b) => a - b), 95);
  const ours = summarize(renewals.latencies);
  const peer = summarize(peerRenewals.latencies);
  const fetchOurs = summarize(full.ms);
  const fetchGzOurs = summarize(fullGzip.ms);
  const fetchPeer = summarize(peerFull.ms);
  const fetchGzPeer = summarize(peerGzip.ms);
  report(
    'registry',
    [
      { measure: 'renewal latency (ms)', n: ours.n, p50: ours.p50, p95: p95(renewals.latencies), p99: ours.p99, max: ours.max, peer_p95: p95(peerRenewals.latencies), peer_p99: peer.p99, ratio_p99: ours.p99 / peer.p99 },
      { measure: 'full fetch JSON (ms)', n: fetchOurs.n, p50: fetchOurs.p50, p99: fetchOurs.p99, max: fetchOurs.max, peer_p99: fetchPeer.p99, ratio_p99: fetchOurs.p99 / fetchPeer.p99 },
      { measure: 'full fetch JSON gzip (ms)', n: fetchGzOurs.n, p50: fetchGzOurs.p50, p99: fetchGzOurs.p99, max: fetchGzOurs.max, peer_p99: fetchGzPeer.p99, ratio_p99: fetchGzOurs.p99 / fetchGzPeer.p99 },
    ],
    {
      instances: INSTANCES,
      renewIntervalMs: RENEW_MS,
      renewalsPerSecond: INSTANCES / (RENEW_MS / 1000),
      renewalFailures: renewals.failures,
      registerAllMs: Math.round(registerMs),
      serverCpuPercentOfOneCoreDuringRenewals: Math.round(cpuPercent * 10) / 10,
      fullFetchBytes: full.bytes,
      fullFetchGzipBytes: fullGzip.bytes,
      note: 'fetch times are warm (the registry caches the encoded document per version); the first fetch is in max',
    },
  );
  await discovery.close();
  await bare.close();
  child.send('stop');
}

if (process.env['BENCH_ROLE'] === 'server') await runServer();
else await main();
