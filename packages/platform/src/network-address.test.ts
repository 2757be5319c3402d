import { createServer } from 'node:http';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ecsTaskAddress, type InterfaceTable, isLinkLocal, pickRoutableAddress, resolveAdvertisedAddress } from './network-address.js';

function ipv4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}
function ipv6(address: string): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/64`, scopeid: 0 };
}

/** A Fargate task as the original deployment saw it: loopback, the link-local ECS agent network, the VPC address. */
const fargate: InterfaceTable = {
  lo: [ipv4('127.0.0.1', true)],
  'ecs-eth0': [ipv4('169.254.172.2'), ipv6('fe80::1')],
  eth1: [ipv4('10.0.12.34')],
};
const none = { preferredNetworks: [], ignoredInterfaces: [] };

describe('address selection', () => {
  it('never picks loopback or link-local when a routable address exists', () => {
    expect(pickRoutableAddress(fargate, none)).toBe('10.0.12.34');
    expect(isLinkLocal('169.254.172.2')).toBe(true);
    expect(isLinkLocal('fe80::1')).toBe(true);
    expect(isLinkLocal('10.0.12.34')).toBe(false);
  });

  it('answers undefined when only loopback and link-local remain', () => {
    expect(pickRoutableAddress({ lo: [ipv4('127.0.0.1', true)], eth0: [ipv4('169.254.10.10')] }, none)).toBeUndefined();
  });

  it('takes a docker bridge only when nothing else is left', () => {
    const host: InterfaceTable = { docker0: [ipv4('172.17.0.1')], 'br-1a2b': [ipv4('172.18.0.1')], enp3s0: [ipv4('192.168.1.20')] };
    expect(pickRoutableAddress(host, none)).toBe('192.168.1.20');
    expect(pickRoutableAddress({ docker0: [ipv4('172.17.0.1')] }, none)).toBe('172.17.0.1');
  });

  it('honours preferred network prefixes in their order, and falls back when none matches', () => {
    const table: InterfaceTable = { eth0: [ipv4('192.168.1.20')], eth1: [ipv4('10.0.3.4')], eth2: [ipv4('10.1.0.9')] };
    expect(pickRoutableAddress(table, { preferredNetworks: ['10.1.', '10.0.'], ignoredInterfaces: [] })).toBe('10.1.0.9');
    expect(pickRoutableAddress(table, { preferredNetworks: ['10.0'], ignoredInterfaces: [] })).toBe('10.0.3.4');
    expect(pickRoutableAddress(table, { preferredNetworks: ['172.31.'], ignoredInterfaces: [] })).toBe('192.168.1.20');
  });

  it('skips ignored interfaces by name or by regular expression', () => {
    const table: InterfaceTable = { tun0: [ipv4('10.8.0.2')], 'veth9f': [ipv4('10.9.0.1')], eth0: [ipv4('192.168.1.20')] };
    expect(pickRoutableAddress(table, { preferredNetworks: ['10.'], ignoredInterfaces: ['tun0', 'veth.*'] })).toBe('192.168.1.20');
    expect(pickRoutableAddress(table, { preferredNetworks: ['10.'], ignoredInterfaces: ['tun[0-9]+', '(unclosed'] })).toBe('10.9.0.1');
  });
});

const taskMetadata = {
  Cluster: 'stream-seat',
  TaskARN: 'arn:aws:ecs:eu-west-1:123456789012:task/stream-seat/abc',
  Containers: [
    { Name: '~internal~ecs~pause', Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['169.254.172.2'] }] },
    { Name: 'booking', Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['10.0.12.34'], PrivateDNSName: 'ip-10-0-12-34.ec2.internal' }] },
  ],
};

describe('on ECS', () => {
  it('takes the task’s private IP from the metadata endpoint, skipping link-local ones', async () => {
    const asked: string[] = [];
    const address = await ecsTaskAddress('http://169.254.170.2/v4/abc', async (url) => {
      asked.push(url);
      return taskMetadata;
    });
    expect(address).toBe('10.0.12.34');
    expect(asked).toEqual(['http://169.254.170.2/v4/abc/task']);
  });

  it('prefers the metadata over the interface table, and a served metadata document works end to end', async () => {
    const server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(request.url === '/v4/abc/task' ? JSON.stringify(taskMetadata) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const uri = `http://127.0.0.1:${(server.address() as { port: number }).port}/v4/abc`;
    try {
      const address = await resolveAdvertisedAddress({ ...none, ecsMetadataUri: uri, interfaces: { eth0: [ipv4('192.168.1.20')] } });
      expect(address).toBe('10.0.12.34');
    } finally {
      server.close();
    }
  });

  it('falls back to the interface table when the metadata endpoint fails, and an explicit host wins over all', async () => {
    const failing = async () => {
      throw new Error('ECONNREFUSED');
    };
    expect(await resolveAdvertisedAddress({ ...none, ecsMetadataUri: 'http://x', fetchJson: failing, interfaces: fargate })).toBe('10.0.12.34');
    expect(await resolveAdvertisedAddress({ ...none, advertisedHost: 'booking.local', interfaces: fargate })).toBe('booking.local');
    expect(await resolveAdvertisedAddress({ ...none, interfaces: { lo: [ipv4('127.0.0.1', true)] } })).toBe('127.0.0.1');
  });
});
