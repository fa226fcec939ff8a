import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { COMPUTE_PROFILES, isAllowListCidr, isCronSchedule, sparkPodGiB } from "../../components/compute/config";
import { isPinnedImage, parseImage } from "../../components/compute/images";
import { EKS_ADDON_VERSIONS, KUBERNETES_VERSION } from "../../components/compute/versions";
import { IMAGE, problemsOf, resolved, sampleCompute } from "./support";

const paths = (ps: { path: string }[]) => ps.map((p) => p.path);
const job = (extra: Record<string, unknown> = {}) => ({
  name: "j",
  domain: "sales",
  schedule: "@daily",
  mainApplicationFile: "s3a://b/j.py",
  reads: ["curated"],
  ...extra,
});

describe("compute config: images", () => {
  it("accepts tags and digests, refuses latest and untagged references", () => {
    for (const ok of [
      "apache/spark:3.5.6",
      "registry.example:5000/team/spark:v1.2",
      `spark@sha256:${"a".repeat(64)}`,
      `r.io/spark:3.5@sha256:${"b".repeat(64)}`,
    ])
      assert.ok(isPinnedImage(ok), ok);
    for (const bad of [
      "apache/spark",
      "apache/spark:latest",
      "registry.example:5000/spark",
      "spark@sha256:short",
      "Spark:1",
      "spark:",
      "",
    ])
      assert.ok(!isPinnedImage(bad), bad);
  });

  it("reads a registry port as part of the repository, not as a tag", () => {
    assert.deepEqual(parseImage("registry.example:5000/spark"), {
      repository: "registry.example:5000/spark",
      tag: undefined,
      digest: undefined,
    });
    assert.equal(parseImage("registry.example:5000/spark:3.5")?.tag, "3.5");
  });

  it("never calls an untagged or latest reference pinned, whatever the repository", () => {
    const repo = fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8}){0,2}$/);
    fc.assert(fc.property(repo, fc.constantFrom("", ":latest"), (r, suffix) => !isPinnedImage(`${r}${suffix}`)));
    fc.assert(fc.property(repo, fc.stringMatching(/^[0-9][a-z0-9.]{0,10}$/), (r, tag) => isPinnedImage(`${r}:${tag}`)));
  });
});

describe("compute config: schema", () => {
  it("resolves the sample in every environment with the profile's defaults", () => {
    const dev = resolved(sampleCompute(), "dev", 2);
    const prod = resolved(sampleCompute(), "prod", 3);
    assert.equal(dev.cluster.mode, "eks");
    if (dev.cluster.mode !== "eks" || prod.cluster.mode !== "eks") return;
    assert.equal(prod.cluster.version, KUBERNETES_VERSION);
    assert.deepEqual(prod.cluster.addonVersions, EKS_ADDON_VERSIONS);
    assert.deepEqual(Object.keys(dev.cluster.nodeGroups).sort(), ["spark-spot", "system"]);
    assert.deepEqual(Object.keys(prod.cluster.nodeGroups), ["system"]);
    assert.equal(dev.spark?.jobs[0].spot, true, "dev runs executors on spot by default");
    assert.equal(prod.spark?.jobs[0].spot, false);
    assert.equal(prod.queryEngine?.faultTolerant, true);
    assert.equal(dev.queryEngine?.faultTolerant, false);
    assert.equal(prod.queryEngine?.autoscaling.enabled, true);
    assert.equal(prod.queryEngine?.engine, "trino");
    assert.equal(prod.spark?.jobs[1].image, IMAGE, "jobs inherit spark.image");
  });

  it("lets explicit values win over profile defaults, field by field", () => {
    const c = resolved(
      {
        ...sampleCompute(),
        cluster: { mode: "eks", nodeGroups: { system: { maxSize: 20 } } },
        queryEngine: {
          workers: 5,
          faultTolerant: false,
          loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" },
        },
      },
      "prod",
    );
    assert.ok(c.cluster.mode === "eks");
    assert.equal(c.cluster.nodeGroups.system.maxSize, 20);
    assert.equal(
      c.cluster.nodeGroups.system.minSize,
      COMPUTE_PROFILES.prod.cluster.nodeGroups.system.minSize,
      "untouched fields keep the profile's value",
    );
    assert.equal(c.queryEngine?.workers, 5);
    assert.equal(c.queryEngine?.faultTolerant, false);
    assert.equal(c.queryEngine?.autoscaling.maxWorkers, COMPUTE_PROFILES.prod.queryEngine.autoscaling.maxWorkers);
  });

  it("rejects unknown keys and says where", () => {
    assert.deepEqual(paths(problemsOf({ ...sampleCompute(), spark: { image: IMAGE, jobz: [] } })), [
      "platform.compute.spark.jobz",
    ]);
    assert.deepEqual(paths(problemsOf({ cluster: { mode: "existing", kubeconfig: "x".repeat(30), nodeGroups: {} } })), [
      "platform.compute.cluster.nodeGroups",
    ]);
  });

  it("rejects latest and untagged images at config validation", () => {
    const untagged = problemsOf({ spark: { image: "apache/spark", jobs: [job({ image: "apache/spark:latest" })] } });
    assert.deepEqual(paths(untagged).sort(), ["platform.compute.spark.image", "platform.compute.spark.jobs[0].image"]);
    assert.match(untagged[0].message, /pinned/);
  });

  it("validates schedules, URIs and resources", () => {
    const ps = problemsOf({
      spark: {
        image: IMAGE,
        jobs: [job({ schedule: "every day", mainApplicationFile: "http://x/j.py", driver: { memory: "2GB" } })],
      },
    });
    assert.deepEqual(paths(ps).sort(), [
      "platform.compute.spark.jobs[0].driver.memory",
      "platform.compute.spark.jobs[0].mainApplicationFile",
      "platform.compute.spark.jobs[0].schedule",
    ]);
    for (const ok of ["0 2 * * *", "*/15 * * * *", "0 6 * * MON-FRI", "@daily", "@every 30m", "0 0 1,15 * *"])
      assert.ok(isCronSchedule(ok), ok);
    for (const bad of ["0 2 * *", "daily", "@fortnightly", "0 2 * * * *", ""]) assert.ok(!isCronSchedule(bad), bad);
  });

  it("refuses 0.0.0.0/0 as an allow-list", () => {
    assert.ok(!isAllowListCidr("0.0.0.0/0"));
    assert.ok(isAllowListCidr("203.0.113.0/24"));
    assert.ok(!isAllowListCidr("300.0.0.0/24"));
  });
});

describe("compute config: cross-field rules", () => {
  it("refuses a public endpoint in prod only, and public access without CIDRs anywhere", () => {
    const publicProd = problemsOf(
      { cluster: { mode: "eks", endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
      "prod",
    );
    assert.deepEqual(paths(publicProd), ["platform.compute.cluster.endpointPublicAccess"]);
    assert.deepEqual(
      paths(
        problemsOf(
          { cluster: { mode: "eks", deployerAccess: "public-endpoint", publicAccessCidrs: ["203.0.113.0/24"] } },
          "prod",
        ),
      ),
      ["platform.compute.cluster.deployerAccess"],
    );
    for (const env of ["dev", "staging"] as const)
      assert.deepEqual(
        problemsOf(
          { cluster: { mode: "eks", deployerAccess: "public-endpoint", publicAccessCidrs: ["203.0.113.0/24"] } },
          env,
          2,
        ),
        [],
        env,
      );
    // The two switches cannot say opposite things, and a runner's settings mean nothing without a runner.
    assert.deepEqual(
      paths(problemsOf({ cluster: { mode: "eks", deployerAccess: "runner", endpointPublicAccess: true } }, "dev", 2)),
      ["platform.compute.cluster.endpointPublicAccess"],
    );
    assert.deepEqual(
      paths(
        problemsOf(
          {
            cluster: {
              mode: "eks",
              deployerAccess: "public-endpoint",
              publicAccessCidrs: ["203.0.113.0/24"],
              runner: { timeoutMinutes: 30 },
            },
          },
          "staging",
        ),
      ),
      ["platform.compute.cluster.runner"],
    );
    assert.deepEqual(
      problemsOf(
        { cluster: { mode: "eks", endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
        "dev",
        2,
      ),
      [],
    );
    assert.deepEqual(paths(problemsOf({ cluster: { mode: "eks", endpointPublicAccess: true } }, "dev", 2)), [
      "platform.compute.cluster.publicAccessCidrs",
    ]);
  });

  it("checks node group sizes, spot diversity, system capacity and per-AZ coverage in prod", () => {
    const ps = problemsOf(
      {
        cluster: {
          mode: "eks",
          nodeGroups: {
            system: { minSize: 1, desiredSize: 1 },
            batch: { capacityType: "spot", instanceTypes: ["m6i.large"], minSize: 3, maxSize: 2, desiredSize: 3 },
          },
        },
      },
      "prod",
    );
    assert.deepEqual(paths(ps).sort(), [
      "platform.compute.cluster.nodeGroups",
      "platform.compute.cluster.nodeGroups.batch",
      "platform.compute.cluster.nodeGroups.batch.instanceTypes",
    ]);
    assert.match(ps.find((p) => p.path === "platform.compute.cluster.nodeGroups")!.message, /minSize >= 3/);
    const noSystem = problemsOf(
      {
        cluster: {
          mode: "eks",
          nodeGroups: {
            system: { enabled: false },
            extra: { instanceTypes: ["m6i.large"], dedicatedTo: "spark-executors" },
          },
        },
      },
      "dev",
      2,
    );
    assert.ok(
      noSystem.some((p) => /at least one on-demand group/.test(p.message)),
      JSON.stringify(noSystem),
    );
    assert.ok(
      paths(problemsOf({ cluster: { mode: "eks", nodeGroups: { extra: {} } } }, "dev", 2)).includes(
        "platform.compute.cluster.nodeGroups.extra.instanceTypes",
      ),
    );
  });

  it("ties jobs to declared domains, unique names, main classes and the namespace quota", () => {
    const ps = problemsOf(
      {
        spark: {
          image: IMAGE,
          quota: { cpu: "8" },
          jobs: [
            job({ domain: "finance" }),
            job({ type: "Java" }),
            job({ name: "big", executor: { instances: 10, cores: 4 } }),
            job({ name: "huge", driver: { memory: "64g" } }),
          ],
        },
      },
      "prod",
    );
    const msgs = ps.map((p) => `${p.path}: ${p.message}`);
    assert.ok(
      msgs.some((m) => m.startsWith("platform.compute.spark.jobs[0].domain: 'finance' is not a declared domain")),
      msgs.join("\n"),
    );
    assert.ok(msgs.some((m) => m.startsWith("platform.compute.spark.jobs[1].name: duplicate job 'j'")));
    assert.ok(msgs.some((m) => m.startsWith("platform.compute.spark.jobs[1].mainClass: is required for Java")));
    assert.ok(msgs.some((m) => m.startsWith("platform.compute.spark.jobs[2].executor: needs 41 cores")));
    assert.ok(
      msgs.some((m) => m.startsWith("platform.compute.spark.jobs[3].driver: exceeds the per-container limit")),
      msgs.join("\n"),
    );
  });

  it("keeps platform-owned Spark settings out of job config", () => {
    const ps = problemsOf({
      spark: {
        image: IMAGE,
        jobs: [
          job({
            sparkConf: {
              "spark.kubernetes.driver.podTemplateFile": "/x",
              "spark.eventLog.dir": "s3a://elsewhere/",
              "spark.sql.shuffle.partitions": "64",
            },
          }),
        ],
      },
    });
    assert.deepEqual(paths(ps).sort(), [
      "platform.compute.spark.jobs[0].sparkConf.spark.eventLog.dir",
      "platform.compute.spark.jobs[0].sparkConf.spark.kubernetes.driver.podTemplateFile",
    ]);
  });

  it("offers spot executors only where a dedicated spot group exists", () => {
    assert.deepEqual(paths(problemsOf({ spark: { image: IMAGE, jobs: [job({ spot: true })] } }, "prod")), [
      "platform.compute.spark.jobs[0].spot",
    ]);
    assert.deepEqual(problemsOf({ spark: { image: IMAGE, jobs: [job({ spot: true })] } }, "dev", 2), []);
    const byo = problemsOf(
      { cluster: { mode: "existing" }, spark: { image: IMAGE, spotExecutors: true, jobs: [job()] } },
      "dev",
      2,
    );
    assert.match(byo[0].message, /EKS cluster the platform manages/);
  });

  it("requires TLS for BI traffic outside dev, keeps presto's limits explicit and presto itself to dev", () => {
    assert.deepEqual(paths(problemsOf({ queryEngine: {} }, "staging", 2)), [
      "platform.compute.queryEngine.loadBalancer.certificateArn",
    ]);
    assert.deepEqual(problemsOf({ queryEngine: {} }, "dev", 2), []);
    const presto = problemsOf({ queryEngine: { engine: "presto" } }, "prod");
    assert.deepEqual(paths(presto).sort(), [
      "platform.compute.queryEngine.engine",
      "platform.compute.queryEngine.faultTolerant",
      "platform.compute.queryEngine.prestoTls",
    ]);
    assert.match(presto.find((p) => p.path.endsWith("faultTolerant"))!.message, /defaults to true in prod/);
    assert.match(
      presto.find((p) => p.path.endsWith("engine"))!.message,
      /refused in prod: its chart \(0\.4\.0\) renders no container security context.*restricted Pod Security Standard/,
    );
    const tls = { keystoreSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-AbCdEf" };
    assert.deepEqual(
      paths(problemsOf({ queryEngine: { engine: "presto", faultTolerant: false, prestoTls: tls } }, "staging")),
      ["platform.compute.queryEngine.engine"],
    );
    assert.deepEqual(
      problemsOf({ queryEngine: { engine: "presto", faultTolerant: false, prestoTls: tls } }, "dev"),
      [],
    );
  });

  it("sizes Spark pods with the memory overhead Spark adds", () => {
    assert.equal(sparkPodGiB("4g"), (4096 + 409.6) / 1024);
    assert.equal(sparkPodGiB("512m"), (512 + 384) / 1024);
  });
});
