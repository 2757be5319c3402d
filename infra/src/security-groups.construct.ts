/** The security-group graph: ALB → gateway → services → database, and nothing else in. */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { SERVICES } from './service-catalog.js';

export const MYSQL_PORT = 3306;
export const REDIS_PORT = 6379;

export interface SecurityGroupsProps {
  readonly vpc: ec2.IVpc;
  /** Listener ports the world may reach on the load balancer (80, and 443 with a certificate). */
  readonly publicPorts: number[];
}

/**
 * Every group is created here so that the whole graph reads in one place. Tasks keep outbound
 * access (image pulls, Secrets Manager, logs through the NAT); the load balancer, the database
 * and the cache get no outbound rules beyond what their peers need.
 */
export class SecurityGroups extends Construct {
  readonly alb: ec2.SecurityGroup;
  readonly gateway: ec2.SecurityGroup;
  readonly discovery: ec2.SecurityGroup;
  readonly event: ec2.SecurityGroup;
  readonly booking: ec2.SecurityGroup;
  readonly database: ec2.SecurityGroup;
  readonly cache: ec2.SecurityGroup;
  readonly bastion: ec2.SecurityGroup;
  /** The Lambda that creates the services' MySQL users with the master credentials. */
  readonly databaseUsers: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const group = (name: string, description: string, allowAllOutbound: boolean) =>
      new ec2.SecurityGroup(this, name, { vpc: props.vpc, description, allowAllOutbound });

    this.alb = group('Alb', 'Public load balancer in front of the gateway', false);
    this.gateway = group('Gateway', 'Gateway tasks', true);
    this.discovery = group('Discovery', 'Registry (Eureka) tasks', true);
    this.event = group('Event', 'Event service tasks', true);
    this.booking = group('Booking', 'Booking service tasks', true);
    this.database = group('Database', 'RDS MySQL', false);
    this.cache = group('Cache', 'ElastiCache Redis for the seat stream and rate limits', false);
    this.bastion = group('Bastion', 'SSM-managed bastion host: no inbound at all', true);
    // Outbound: MySQL, and Secrets Manager through the NAT.
    this.databaseUsers = group('DatabaseUsers', 'Lambda that provisions the services MySQL users: no inbound at all', true);

    for (const port of props.publicPorts) {
      this.alb.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), `Public listener ${port}`);
    }
    NagSuppressions.addResourceSuppressions(this.alb, [
      { id: 'AwsSolutions-EC23', reason: 'The internet-facing load balancer is the public entry point; only its listener ports are open.' },
    ]);
    // The ALB → gateway rule (and the ALB's matching egress) comes from registering the gateway
    // as the listener's target, so the listener and the rule cannot drift apart.

    const { discovery, event, booking } = SERVICES;
    const allow = (to: ec2.SecurityGroup, from: ec2.SecurityGroup, port: number, why: string) =>
      to.addIngressRule(from, ec2.Port.tcp(port), why);

    allow(this.discovery, this.gateway, discovery.port, 'gateway registers and fetches the registry');
    allow(this.discovery, this.event, discovery.port, 'event registers with the registry');
    allow(this.discovery, this.booking, discovery.port, 'booking registers and fetches the registry');
    allow(this.event, this.gateway, event.port, 'gateway routes to event');
    allow(this.event, this.booking, event.port, 'booking reads seat maps and prices from event');
    allow(this.booking, this.gateway, booking.port, 'gateway routes to booking');
    // Without it booking never hears that an event was published or cancelled (no refunds).
    allow(this.booking, this.event, booking.port, 'event outbox posts catalogue messages to booking');

    allow(this.database, this.event, MYSQL_PORT, 'event owns its schema');
    allow(this.database, this.booking, MYSQL_PORT, 'booking owns its schema');
    allow(this.database, this.bastion, MYSQL_PORT, 'operators reach MySQL through SSM port forwarding');
    allow(this.database, this.databaseUsers, MYSQL_PORT, 'the provisioning Lambda creates the services users with the master secret');

    allow(this.cache, this.booking, REDIS_PORT, 'booking fans seat changes out through Redis');
    allow(this.cache, this.gateway, REDIS_PORT, 'gateways share rate-limit counters');
  }
}
