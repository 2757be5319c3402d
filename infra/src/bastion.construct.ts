/** A bastion reached only through SSM Session Manager: no SSH, no inbound rule, no public IP. */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Amazon Linux 2023's current x86_64 AMI (kernel 6.1, as latestAmazonLinux2023() chose): a public SSM parameter in every region. */
export const BASTION_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64';

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
      // EC2 reads the AMI from its public parameter when it launches the instance; the template
      // holds the parameter's name only. latestAmazonLinux2023() made it a stack parameter that
      // CloudFormation read again on every deploy: each AMI release replaced the bastion (a new
      // instance id, open port-forwards cut). A context lookup (cachedInContext) would need the
      // account in the template and a committed cdk.context.json, and the offline synth a lookup.
      machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(BASTION_AMI_PARAMETER),
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
