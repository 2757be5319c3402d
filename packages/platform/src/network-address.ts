/**
 * Chooses the address a service advertises to the registry. The original Fargate tasks advertised
 * link-local 169.254.x.x addresses and became unreachable, so loopback and link-local are never
 * chosen when anything else exists; preferred prefixes and ignored interfaces follow Spring's
 * `inetutils` settings; on ECS the task's private IP comes from the container metadata endpoint.
 */
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

export interface AddressPolicy {
  /** Prefixes such as `10.0.` or `192.168.1`; the first matching address wins. */
  preferredNetworks: string[];
  /** Interface names (or regular expressions) never to use, e.g. `docker0`, `veth.*`. */
  ignoredInterfaces: string[];
}

export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

export function isLinkLocal(address: string): boolean {
  return address.startsWith('169.254.') || /^fe[89ab][0-9a-f]:/i.test(address);
}

function matches(name: string, pattern: string): boolean {
  if (name === pattern) return true;
  try {
    return new RegExp(`^(?:${pattern})$`).test(name);
  } catch {
    return false; // not a valid regular expression: a plain name, already compared
  }
}

function ignored(name: string, patterns: string[]): boolean {
  return patterns.some((p) => matches(name, p));
}

/**
 * Bridges of container runtimes and VMs: reachable from the host only, so an address on them is
 * taken only when nothing else is left (a host with Docker would otherwise advertise 172.17.0.1).
 */
const HOST_ONLY_BRIDGES = /^(docker\d*|br-.*|veth.*|cni\d*|flannel.*|virbr\d*|vboxnet\d*|podman\d*)$/;

/** The best IPv4 address of the table, or undefined when only loopback/link-local remain. */
export function pickRoutableAddress(table: InterfaceTable, policy: AddressPolicy): string | undefined {
  const routable: string[] = [];
  const bridged: string[] = [];
  for (const [name, infos] of Object.entries(table)) {
    if (!infos || ignored(name, policy.ignoredInterfaces)) continue;
    for (const info of infos) {
      if (info.family !== 'IPv4' || info.internal || isLinkLocal(info.address)) continue;
      (HOST_ONLY_BRIDGES.test(name) ? bridged : routable).push(info.address);
    }
  }
  const candidates = [...routable, ...bridged];
  for (const prefix of policy.preferredNetworks) {
    const match = candidates.find((a) => a.startsWith(prefix));
    if (match) return match;
  }
  // With preferred networks configured and none matching, fall back to any routable address.
  return candidates[0];
}

interface EcsTaskMetadata {
  Containers?: Array<{ Networks?: Array<{ IPv4Addresses?: string[] }> }>;
}

/** The task's private IP from the ECS task metadata endpoint v4 (`${uri}/task`). */
export async function ecsTaskAddress(
  metadataUri: string,
  fetchJson: (url: string) => Promise<unknown> = async (url) => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).json(),
): Promise<string | undefined> {
  const task = (await fetchJson(`${metadataUri}/task`)) as EcsTaskMetadata;
  for (const container of task.Containers ?? []) {
    for (const network of container.Networks ?? []) {
      const address = network.IPv4Addresses?.find((a) => !isLinkLocal(a));
      if (address) return address;
    }
  }
  return undefined;
}

export interface AdvertiseOptions extends AddressPolicy {
  advertisedHost?: string | undefined;
  ecsMetadataUri?: string | undefined;
  interfaces?: InterfaceTable;
  /** How the ECS metadata is fetched (tests fabricate it). */
  fetchJson?: (url: string) => Promise<unknown>;
}

/** Explicit host, else ECS metadata, else the interface table, else loopback as a last resort. */
export async function resolveAdvertisedAddress(options: AdvertiseOptions): Promise<string> {
  if (options.advertisedHost) return options.advertisedHost;
  if (options.ecsMetadataUri) {
    const address = await ecsTaskAddress(options.ecsMetadataUri, options.fetchJson).catch(() => undefined);
    if (address) return address;
  }
  return pickRoutableAddress(options.interfaces ?? networkInterfaces(), options) ?? '127.0.0.1';
}
