/** The dashboard at `GET /`: Eureka's status page as one server-rendered HTML string, every value escaped. */
import { createHash } from 'node:crypto';
import type { ApplicationView } from './eureka-json.js';
import type { RegistryStats } from './registry.js';

export interface DashboardPeer {
  url: string;
  self: boolean;
  lastSuccessAt?: number;
  lastError?: string;
}

export interface DashboardModel {
  now: number;
  startedAt: number;
  stats: RegistryStats;
  peers: DashboardPeer[];
  applications: ApplicationView[];
}

export const SELF_PRESERVATION_WARNING =
  "EMERGENCY! EUREKA MAY BE INCORRECTLY CLAIMING INSTANCES ARE UP WHEN THEY'RE NOT. RENEWALS ARE LESSER THAN THRESHOLD AND HENCE THE INSTANCES ARE NOT BEING EXPIRED JUST TO BE SAFE.";
export const SELF_PRESERVATION_OFF =
  'THE SELF PRESERVATION MODE IS TURNED OFF. THIS MAY NOT PROTECT INSTANCE EXPIRY IN CASE OF NETWORK/OTHER PROBLEMS.';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

export function formatUptime(ms: number): string {
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `${d > 0 ? `${d}d ` : ''}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

const row = (cells: unknown[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;

function peersTable(model: DashboardModel): string {
  if (model.peers.length === 0) return '<p>No replicas configured (REGISTRY_PEERS).</p>';
  const rows = model.peers.map((p) =>
    row([
      p.url,
      p.self ? 'this registry' : p.lastError ? `unavailable: ${p.lastError}` : p.lastSuccessAt ? 'available' : 'not contacted yet',
    ]),
  );
  return `<table>${row(['Replica', 'State'], 'th')}${rows.join('')}</table>`;
}

function instancesTable(model: DashboardModel): string {
  if (model.applications.length === 0) return '<p>No instances available.</p>';
  const rows = model.applications.map((app) => {
    const byStatus = new Map<string, string[]>();
    for (const i of app.instances) {
      const address = `${i.instanceId} (${i.ipAddr}:${i.port})`;
      byStatus.set(i.status, [...(byStatus.get(i.status) ?? []), address]);
    }
    const statuses = [...byStatus.entries()]
      .map(([status, list]) => `<b>${escapeHtml(status)}</b> (${list.length}) - ${list.map(escapeHtml).join(', ')}`)
      .join('<br>');
    return `<tr><td>${escapeHtml(app.name)}</td><td>${app.instances.length}</td><td>${statuses}</td></tr>`;
  });
  return `<table>${row(['Application', 'Instances', 'Status'], 'th')}${rows.join('')}</table>`;
}

/** The page's one style sheet, inline; the content security policy admits it by its hash. */
const DASHBOARD_STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin-bottom:1.5rem}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f3f3f3}.warn{color:#b00;font-weight:bold}`;

/**
 * What the dashboard may load: nothing but its own inline style sheet. Its values are escaped
 * (registrations are written by other machines); the policy is the second line, should an escape
 * ever be missed: no script, no frame around it, no form.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(DASHBOARD_STYLE).digest('base64')}'`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function renderDashboard(model: DashboardModel): string {
  const { stats } = model;
  const warning = !stats.selfPreservationEnabled
    ? `<p class="warn">${escapeHtml(SELF_PRESERVATION_OFF)}</p>`
    : !stats.leaseExpirationEnabled
      ? `<p class="warn">${escapeHtml(SELF_PRESERVATION_WARNING)}</p>`
      : '';
  const system = [
    ['Current time', new Date(model.now).toISOString()],
    ['Uptime', formatUptime(model.now - model.startedAt)],
    ['Lease expiration enabled', String(stats.leaseExpirationEnabled)],
    ['Renews threshold', stats.renewalThreshold],
    ['Renews (last min)', stats.renewalsLastMinute],
    ['Registered instances', stats.instances],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stream-Seat registry</title>
<style>${DASHBOARD_STYLE}</style>
</head><body>
<h1>Stream-Seat registry</h1>
<h2>System status</h2>
<table>${system.map((r) => row(r)).join('')}</table>
${warning}
<h2>DS Replicas</h2>
${peersTable(model)}
<h2>Instances currently registered with Eureka</h2>
${instancesTable(model)}
</body></html>
`;
}
