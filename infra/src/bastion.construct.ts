/** A bastion reached only through SSM Session Manager: no SSH, no inbound rule, no public IP. */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

export interface BastionProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
}

export class Bastion extends Construct {
  readonly host: ec2.BastionHostLinux;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    this.host = new ec2.BastionHostLinux(this, 'Host', {
      vpc: props.vpc,
      // Private subnet: the SSM agent reaches Systems Manager through the NAT, nobody reaches it.
      subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: props.securityGroup,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.NANO),
      // Amazon Linux 2023 ships the SSM agent; the construct's default is the older Amazon Linux 2.
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      requireImdsv2: true,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
      ],
    });

    NagSuppressions.addResourceSuppressions(this.host, [
      { id: 'AwsSolutions-IAM5', reason: 'CDK grants Session Manager its message channels, which have no resource-level permissions.', appliesTo: ['Action::ssmmessages:*', 'Action::ec2messages:*', 'Resource::*'] },
      { id: 'AwsSolutions-EC28', reason: 'An idle port-forwarding host; detailed monitoring would cost more than the host and tell nothing useful.' },
      { id: 'AwsSolutions-EC29', reason: 'The bastion holds no state and is meant to be replaced freely; termination protection would only get in the way.' },
    ], true);
  }
}
