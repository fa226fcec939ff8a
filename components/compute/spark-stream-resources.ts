import * as aws from "@pulumi/aws";
import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dataTags } from "../core/tags";
import type { PlatformContext, Zone } from "../core/types";
import { glueDatabaseName } from "../lake/DataLake";
import { declareAlarms } from "../observability/Monitoring";
import type { SparkConfig } from "./config";
import type { DomainRef, LakeAccess } from "./identity";
import { SparkPlatform, SPARK_API_VERSION } from "./spark";
import { checkpointPrefix, streamAlarmSpecs, streamingSparkApplication } from "./spark-streams";

/** What streaming applications need from the rest of the platform. */
export interface SparkStreamRefs {
  readonly kafka: { readonly clusterArn: pulumi.Input<string>; readonly bootstrapBrokers: pulumi.Input<string> };
  /** The zone of a domain's dataset (the table a stream writes). */
  readonly tableZone: (domain: string, table: string) => Zone;
  readonly alertsTopicArn: pulumi.Input<string>;
}

interface Input {
  readonly ctx: PlatformContext;
  readonly config: SparkConfig;
  readonly lake: LakeAccess;
  readonly domains: readonly DomainRef[];
  readonly refs: SparkStreamRefs;
  readonly platform: pulumi.Output<SparkPlatform>;
}

/**
 * Every `spark.streams` entry: its SparkApplication, an S3 request-metrics filter on its checkpoint's `commits/`
 * prefix, and the alarms on it (stopped, falling behind).
 */
export function declareSparkStreams(name: string, a: Input, crOpts: pulumi.CustomResourceOptions): void {
  const p = { parent: crOpts.parent };
  for (const s of a.config.streams) {
    const domain = a.domains.find((d) => d.name === s.domain);
    if (!domain) throw new Error(`spark stream '${s.name}': domain '${s.domain}' is not declared`);
    const zone = a.refs.tableZone(s.domain, s.table);
    const restricted = domain.classification === "restricted";
    const bucket = restricted ? a.lake.restricted : a.lake.zones[zone];
    if (!bucket) throw new Error(`spark stream '${s.name}': the lake has no restricted bucket`);
    const domainPrefix = restricted ? `${zone}/${s.domain}/` : `${s.domain}/`;
    const app = pulumi
      .all([a.platform, bucket.bucketName, a.refs.kafka.bootstrapBrokers])
      .apply(([pl, bucketName, brokers]) =>
        streamingSparkApplication(s, {
          ...pl,
          zoneUri: `s3a://${bucketName}/${domainPrefix}`,
          bootstrapBrokers: brokers,
          table: `${glueDatabaseName(a.ctx.prefix, s.domain, zone)}.${s.table}`,
        }),
      );
    new k8s.apiextensions.CustomResource(
      `${name}-stream-${s.name}`,
      { apiVersion: SPARK_API_VERSION, kind: "SparkApplication", metadata: app.metadata, spec: app.spec },
      crOpts,
    );
    const filterId = `stream-${s.name}`;
    new aws.s3.BucketMetric(
      `${name}-stream-${s.name}-commits`,
      {
        bucket: bucket.bucketName,
        name: filterId,
        filter: { prefix: `${domainPrefix}${checkpointPrefix("", s.name)}commits/` },
      },
      p,
    );
    const tags = dataTags(a.ctx, s.domain, domain.classification, { component: "spark" });
    declareAlarms(
      name,
      streamAlarmSpecs(s, bucket.bucketName, filterId),
      { prefix: a.ctx.prefix, alertsTopicArn: a.refs.alertsTopicArn, tags },
      crOpts.parent!,
    );
  }
}
