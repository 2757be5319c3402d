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

function ignored(name: string, patterns: string[]): boolean {
  return patterns.some((p) => name === p || new RegExp(`^${p}$`).test(name));
}

/** The best IPv4 address of the table, or undefined when only loopback/link-local remain. */
export function pickRoutableAddress(table: InterfaceTable, policy: AddressPolicy): string | undefined {
  const candidates: string[] = [];
  for (const [name, infos] of Object.entries(table)) {
    if (!infos || ignored(name, policy.ignoredInterfaces)) continue;
    for (const info of infos) {
      if (info.family !== 'IPv4' || info.internal || isLinkLocal(info.address)) continue;
      candidates.push(info.address);
    }
  }
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
  fetchJson: (url: string) => Promise<unknown> = async (url) => (await fetch(url)).json(),
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
}

/** Explicit host, else ECS metadata, else the interface table, else loopback as a last resort. */
export async function resolveAdvertisedAddress(options: AdvertiseOptions): Promise<string> {
  if (options.advertisedHost) return options.advertisedHost;
  if (options.ecsMetadataUri) {
    const address = await ecsTaskAddress(options.ecsMetadataUri).catch(() => undefined);
    if (address) return address;
  }
  return pickRoutableAddress(options.interfaces ?? networkInterfaces(), options) ?? '127.0.0.1';
}
