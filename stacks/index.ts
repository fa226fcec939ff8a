import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "../components/config";
import { datasetLineage } from "../components/datasets/lineage";
import { DataPlatform } from "../components/platform/DataPlatform";
import {
  foundationOutputs,
  layerOf,
  WORKLOAD_INPUTS,
  WORKLOAD_SECRETS,
  type FoundationOutputs,
  type FoundationSecrets,
} from "../components/platform/layers";
import { PlatformWorkloads } from "../components/platform/PlatformWorkloads";

/**
 * The one program behind every stack: validate the stack's config (stopping before any resource is declared
 * if it is wrong), build the platform, export what operators and other stacks need. `data-platform:layer` picks
 * the whole platform (default) or one layer of the layered deployment (docs/deployment.md).
 */
export = async () => {
  const region = new pulumi.Config("aws").get("region"); // a missing one is a config problem, listed with the rest
  const own = new pulumi.Config("data-platform");
  const config = loadPlatformConfig(own.getObject<unknown>("platform"), region);
  const layer = layerOf(own.get("layer"));
  if (layer === "workloads") {
    // The foundation stack of the same environment: `<org>/<project>/<stack>`, or a stack name of this project.
    const foundation = new pulumi.StackReference(own.require("foundationStack"));
    const workloads = new PlatformWorkloads(config.name, {
      config,
      foundation: foundation.requireOutput(WORKLOAD_INPUTS) as pulumi.Output<FoundationOutputs>,
      secrets: foundation.requireOutput(WORKLOAD_SECRETS) as pulumi.Output<FoundationSecrets>,
    });
    const q = workloads.queryEngine;
    return {
      environment: config.environment,
      layer,
      spark: workloads.spark && {
        namespace: workloads.spark.namespace,
        eventLogBucket: workloads.spark.eventLogBucketName,
        domainRoleArns: workloads.spark.domainRoleArns,
      },
      sparkAdHocManifests: workloads.spark?.adHocManifests,
      queryEngine: q && {
        namespace: q.namespace,
        service: q.serviceName,
        loadBalancer: q.loadBalancerHostname,
        passwordDbSecretArn: q.passwordDbSecretArn,
      },
    };
  }
  const platform = new DataPlatform(config.name, { config, layer });
  const { lake, network, security, access, bi } = platform;
  const exported = layer === "foundation" ? foundationOutputs(platform, config) : undefined;
  return definedOnly({
    ...(exported && {
      layer,
      [WORKLOAD_INPUTS]: exported.inputs,
      [WORKLOAD_SECRETS]: exported.secrets,
      deployRunner: platform.runner && {
        project: platform.runner.projectName,
        roleArn: platform.runner.roleArn,
        tokenSecretArn: platform.runner.tokenSecretArn,
      },
    }),
    environment: config.environment,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    keyArns: security.keyArns,
    permissionsBoundaryArn: security.permissionsBoundaryArn,
    lakeBuckets: Object.fromEntries(Object.entries(lake.zones).map(([zone, z]) => [zone, z.bucketName])),
    accessLogBucket: lake.accessLogBucketName,
    queryResultsBucket: lake.queryResultsBucketName,
    glueDatabases: lake.databases,
    warehouse: platform.warehouse && {
      engine: config.warehouse.engine,
      endpoint: platform.warehouse.endpoint,
      port: platform.warehouse.port,
      database: platform.warehouse.database,
      adminSecretArn: platform.warehouse.adminSecretArn,
    },
    kafka: platform.kafka && { engine: config.streaming.engine, bootstrapBrokers: platform.kafka.bootstrapBrokers },
    // http source → URL to POST records to; object-events source → state machine to start a backfill with.
    ingestionEndpoints: platform.ingestion.endpoints,
    backfillStateMachines: platform.ingestion.backfillStateMachines,
    alertsTopicArn: platform.monitoring.topicArn,
    dashboard: platform.monitoring.dashboardName,
    kubernetes: platform.kubernetes && {
      clusterName: platform.kubernetes.clusterName,
      endpoint: platform.kubernetes.endpoint,
    },
    spark: platform.spark && {
      namespace: platform.spark.namespace,
      eventLogBucket: platform.spark.eventLogBucketName,
      domainRoleArns: platform.spark.domainRoleArns,
    },
    // `kubectl create -f` one of these to run a scheduled job once (initial loads, backfills).
    sparkAdHocManifests: platform.spark?.adHocManifests,
    queryEngine: platform.queryEngine && {
      namespace: platform.queryEngine.namespace,
      service: platform.queryEngine.serviceName,
      loadBalancer: platform.queryEngine.loadBalancerHostname,
      passwordDbSecretArn: platform.queryEngine.passwordDbSecretArn,
    },
    personaRoles: Object.fromEntries(Object.entries(access.roles).map(([key, role]) => [key, role.arn])),
    athenaWorkgroups: Object.fromEntries(Object.entries(bi.workgroups).map(([group, wg]) => [group, wg.name])),
    biWarehouseLogin: bi.warehouseLogin,
    biConnections: bi.connections,
    budgets: platform.cost.budgetNames,
    // What the offline cost estimate prices usage by (npm run plan): the budget and the volume assumptions.
    costAssumptions: config.cost,
    // Where each table's data comes from, derived from config: what the plan report draws.
    lineage: datasetLineage({
      datasets: config.datasets,
      sources: config.ingestion.sources,
      pipelines: config.ingestion.pipelines,
      sparkJobs: config.compute?.spark?.jobs ?? [],
    }),
  });
};

/** Stack outputs without the capabilities this stack does not have (Pulumi warns about undefined ones). */
function definedOnly<T extends object>(outputs: T): T {
  return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined)) as T;
}
