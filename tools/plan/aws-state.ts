import type { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { ACCOUNT_ID, autoName, hex, State, str, uuid } from "./mock-ids";

/**
 * Outputs as AWS would return them, per type: ids in each service's format, auto-names, ARNs in each service's
 * ARN format. Wiring assertions and IAM evaluation read these, so a sloppy mock would make them prove nothing.
 */
export function awsState(args: MockResourceArgs, region: string): { id: string; state: State } {
  const i = args.inputs as State;
  const acct = ACCOUNT_ID;
  const seed = `${args.type}:${args.name}`;
  const module = args.type.split(":")[1]?.split("/")[0] ?? "";
  switch (args.type) {
    case "aws:kms/key:Key": {
      const keyId = uuid(seed);
      return { id: keyId, state: { keyId, arn: `arn:aws:kms:${region}:${acct}:key/${keyId}` } };
    }
    case "aws:kms/alias:Alias":
      return {
        id: str(i.name)!,
        state: {
          arn: `arn:aws:kms:${region}:${acct}:${i.name}`,
          targetKeyArn: `arn:aws:kms:${region}:${acct}:key/${i.targetKeyId}`,
        },
      };
    case "aws:iam/role:Role": {
      const name = str(i.name) ?? autoName(args, 64);
      return {
        id: name,
        state: {
          name,
          arn: `arn:aws:iam::${acct}:role${str(i.path) ?? "/"}${name}`,
          uniqueId: `AROA${hex(seed, 16).toUpperCase()}`,
        },
      };
    }
    case "aws:iam/policy:Policy": {
      const name = str(i.name) ?? autoName(args, 128);
      return {
        id: `arn:aws:iam::${acct}:policy${str(i.path) ?? "/"}${name}`,
        state: {
          name,
          arn: `arn:aws:iam::${acct}:policy${str(i.path) ?? "/"}${name}`,
          policyId: `ANPA${hex(seed, 16).toUpperCase()}`,
        },
      };
    }
    case "aws:iam/rolePolicy:RolePolicy": {
      const name = str(i.name) ?? autoName(args, 128);
      return { id: `${i.role}:${name}`, state: { name } };
    }
    case "aws:s3/bucket:Bucket": {
      const bucket = str(i.bucket) ?? autoName(args);
      return {
        id: bucket,
        state: {
          bucket,
          arn: `arn:aws:s3:::${bucket}`,
          bucketDomainName: `${bucket}.s3.amazonaws.com`,
          bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
          region,
        },
      };
    }
    case "aws:ec2/vpc:Vpc":
      return {
        id: `vpc-${hex(seed, 17)}`,
        state: {
          arn: `arn:aws:ec2:${region}:${acct}:vpc/vpc-${hex(seed, 17)}`,
          defaultSecurityGroupId: `sg-${hex(seed + "sg", 17)}`,
          mainRouteTableId: `rtb-${hex(seed + "rt", 17)}`,
        },
      };
    case "aws:ec2/subnet:Subnet":
      return {
        id: `subnet-${hex(seed, 17)}`,
        state: { arn: `arn:aws:ec2:${region}:${acct}:subnet/subnet-${hex(seed, 17)}` },
      };
    case "aws:ec2/securityGroup:SecurityGroup":
    case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
      return {
        id: `sg-${hex(seed, 17)}`,
        state: { arn: `arn:aws:ec2:${region}:${acct}:security-group/sg-${hex(seed, 17)}`, ownerId: acct },
      };
    case "aws:ec2/routeTable:RouteTable":
      return { id: `rtb-${hex(seed, 17)}`, state: {} };
    case "aws:ec2/internetGateway:InternetGateway":
      return { id: `igw-${hex(seed, 17)}`, state: {} };
    case "aws:ec2/natGateway:NatGateway":
      return { id: `nat-${hex(seed, 17)}`, state: {} };
    case "aws:ec2/eip:Eip":
      return { id: `eipalloc-${hex(seed, 17)}`, state: { publicIp: `203.0.113.${parseInt(hex(seed, 2), 16) % 250}` } };
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return {
        id: `vpce-${hex(seed, 17)}`,
        state: { arn: `arn:aws:ec2:${region}:${acct}:vpc-endpoint/vpce-${hex(seed, 17)}` },
      };
    case "aws:ec2/flowLog:FlowLog":
      return { id: `fl-${hex(seed, 17)}`, state: {} };
    case "aws:cloudwatch/logGroup:LogGroup": {
      const name = str(i.name) ?? autoName(args, 512);
      return { id: name, state: { name, arn: `arn:aws:logs:${region}:${acct}:log-group:${name}` } };
    }
    case "aws:glue/catalogDatabase:CatalogDatabase": {
      const name = str(i.name) ?? autoName(args);
      return {
        id: `${acct}:${name}`,
        state: { name, arn: `arn:aws:glue:${region}:${acct}:database/${name}`, catalogId: acct },
      };
    }
    case "aws:secretsmanager/secret:Secret": {
      const name = str(i.name) ?? autoName(args, 512);
      const arn = `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-${hex(seed, 6)}`;
      return { id: arn, state: { name, arn } };
    }
    case "aws:lambda/function:Function": {
      const name = str(i.name) ?? autoName(args, 64);
      const arn = `arn:aws:lambda:${region}:${acct}:function:${name}`;
      return {
        id: name,
        state: {
          name,
          arn,
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
          qualifiedArn: `${arn}:$LATEST`,
          version: "$LATEST",
        },
      };
    }
    case "aws:sqs/queue:Queue": {
      const name = str(i.name) ?? autoName(args, 80);
      return {
        id: `https://sqs.${region}.amazonaws.com/${acct}/${name}`,
        state: {
          name,
          arn: `arn:aws:sqs:${region}:${acct}:${name}`,
          url: `https://sqs.${region}.amazonaws.com/${acct}/${name}`,
        },
      };
    }
    case "aws:budgets/budget:Budget": {
      const name = str(i.name) ?? autoName(args, 100);
      return { id: `${acct}:${name}`, state: { name, arn: `arn:aws:budgets::${acct}:budget/${name}` } };
    }
    case "aws:costexplorer/anomalyMonitor:AnomalyMonitor":
    case "aws:costexplorer/anomalySubscription:AnomalySubscription": {
      // Cost Explorer is global: no region in its ARNs.
      const arn = `arn:aws:ce::${acct}:${args.type.endsWith("AnomalyMonitor") ? "anomalymonitor" : "anomalysubscription"}/${uuid(seed)}`;
      return { id: arn, state: { arn } };
    }
    case "aws:sns/topic:Topic": {
      const name = str(i.name) ?? autoName(args, 256);
      return {
        id: `arn:aws:sns:${region}:${acct}:${name}`,
        state: { name, arn: `arn:aws:sns:${region}:${acct}:${name}` },
      };
    }
    case "aws:dynamodb/table:Table": {
      const name = str(i.name) ?? autoName(args, 255);
      const arn = `arn:aws:dynamodb:${region}:${acct}:table/${name}`;
      return {
        id: name,
        state: {
          name,
          arn,
          streamArn: i.streamEnabled ? `${arn}/stream/2026-01-01T00:00:00.000` : undefined,
          streamLabel: "2026-01-01T00:00:00.000",
        },
      };
    }
    case "aws:apigatewayv2/api:Api": {
      const id = hex(seed, 10);
      return {
        id,
        state: {
          apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`,
          arn: `arn:aws:apigateway:${region}::/apis/${id}`,
          executionArn: `arn:aws:execute-api:${region}:${acct}:${id}`,
        },
      };
    }
    case "aws:sfn/stateMachine:StateMachine": {
      const name = str(i.name) ?? autoName(args, 80);
      return {
        id: `arn:aws:states:${region}:${acct}:stateMachine:${name}`,
        state: { name, arn: `arn:aws:states:${region}:${acct}:stateMachine:${name}` },
      };
    }
    case "aws:msk/cluster:Cluster":
    case "aws:msk/serverlessCluster:ServerlessCluster": {
      const name = str(i.clusterName) ?? autoName(args, 64);
      const arn = `arn:aws:kafka:${region}:${acct}:cluster/${name}/${uuid(seed)}-s1`;
      const brokers = Array.from(
        { length: Number(i.numberOfBrokerNodes ?? 3) },
        (_, n) => `b-${n + 1}.${name}.${hex(seed, 6)}.c2.kafka.${region}.amazonaws.com:9098`,
      ).join(",");
      return {
        id: arn,
        state: {
          arn,
          clusterName: name,
          clusterUuid: `${uuid(seed)}-s1`,
          bootstrapBrokersSaslIam: brokers,
          bootstrapBrokersTls: brokers.replace(/9098/g, "9094"),
          zookeeperConnectString: "",
        },
      };
    }
    case "aws:msk/configuration:Configuration": {
      const arn = `arn:aws:kafka:${region}:${acct}:configuration/${i.name}/${uuid(seed)}`;
      return { id: arn, state: { arn, latestRevision: 1 } };
    }
    case "aws:redshiftserverless/namespace:Namespace":
      return {
        id: str(i.namespaceName)!,
        state: {
          arn: `arn:aws:redshift-serverless:${region}:${acct}:namespace/${uuid(seed)}`,
          namespaceId: uuid(seed),
        },
      };
    case "aws:redshiftserverless/workgroup:Workgroup": {
      const wg = str(i.workgroupName)!;
      return {
        id: wg,
        state: {
          arn: `arn:aws:redshift-serverless:${region}:${acct}:workgroup/${uuid(seed)}`,
          workgroupId: uuid(seed),
          endpoints: [{ address: `${wg}.${acct}.${region}.redshift-serverless.amazonaws.com`, port: i.port ?? 5439 }],
        },
      };
    }
    case "aws:rds/cluster:Cluster": {
      const id = str(i.clusterIdentifier) ?? autoName(args);
      return {
        id,
        state: {
          arn: `arn:aws:rds:${region}:${acct}:cluster:${id}`,
          endpoint: `${id}.cluster-${hex(seed, 12)}.${region}.rds.amazonaws.com`,
          readerEndpoint: `${id}.cluster-ro-${hex(seed, 12)}.${region}.rds.amazonaws.com`,
          port: i.port ?? 5432,
          clusterResourceId: `cluster-${hex(seed, 26).toUpperCase()}`,
        },
      };
    }
    case "aws:rds/clusterInstance:ClusterInstance": {
      const id = str(i.identifier) ?? autoName(args);
      return {
        id,
        state: {
          arn: `arn:aws:rds:${region}:${acct}:db:${id}`,
          endpoint: `${id}.${hex(seed, 12)}.${region}.rds.amazonaws.com`,
        },
      };
    }
    case "aws:eks/cluster:Cluster": {
      const name = str(i.name) ?? autoName(args, 100);
      return {
        id: name,
        state: {
          name,
          arn: `arn:aws:eks:${region}:${acct}:cluster/${name}`,
          endpoint: `https://${hex(seed, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
          certificateAuthority: { data: Buffer.from("mock-ca").toString("base64") },
          version: i.version ?? "1.33",
          identities: [
            { oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${hex(seed, 32).toUpperCase()}` }] },
          ],
          vpcConfig: { ...(i.vpcConfig as object), clusterSecurityGroupId: `sg-${hex(seed + "cluster", 17)}` },
        },
      };
    }
    case "aws:athena/workGroup:Workgroup":
    case "aws:athena/workgroup:Workgroup": {
      const name = str(i.name)!;
      return { id: name, state: { arn: `arn:aws:athena:${region}:${acct}:workgroup/${name}` } };
    }
    case "aws:scheduler/schedule:Schedule": {
      const name = str(i.name) ?? autoName(args, 64);
      return {
        id: `${i.groupName ?? "default"}/${name}`,
        state: { name, arn: `arn:aws:scheduler:${region}:${acct}:schedule/${i.groupName ?? "default"}/${name}` },
      };
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm": {
      const name = str(i.name) ?? autoName(args, 255);
      return { id: name, state: { name, arn: `arn:aws:cloudwatch:${region}:${acct}:alarm:${name}` } };
    }
    case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
      const name = str(i.name) ?? autoName(args);
      return { id: name, state: { name, arn: `arn:aws:firehose:${region}:${acct}:deliverystream/${name}` } };
    }
    case "aws:dms/endpoint:Endpoint":
    case "aws:dms/s3Endpoint:S3Endpoint": {
      const endpointArn = `arn:aws:dms:${region}:${acct}:endpoint:${hex(seed, 26).toUpperCase()}`;
      return { id: str(i.endpointId)!, state: { endpointArn } };
    }
    case "aws:dms/replicationConfig:ReplicationConfig": {
      const arn = `arn:aws:dms:${region}:${acct}:replication-config:${hex(seed, 26).toUpperCase()}`;
      return { id: arn, state: { arn } };
    }
    case "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup": {
      const groupId = str(i.replicationSubnetGroupId)!;
      return {
        id: groupId,
        state: { replicationSubnetGroupArn: `arn:aws:dms:${region}:${acct}:subgrp:${groupId}` },
      };
    }
    case "aws:lambda/invocation:Invocation":
      return { id: hex(seed, 16), state: { result: JSON.stringify({ statusCode: 200, applied: true }) } };
    default: {
      const name = str(i.name) ?? autoName(args);
      const arn = `arn:aws:${module}:${region}:${acct}:${args.type.split(":")[2]?.toLowerCase() ?? "resource"}/${name}`;
      return { id: `${module}-${hex(seed, 12)}`, state: { arn, ...(i.name === undefined ? { name } : {}) } };
    }
  }
}
