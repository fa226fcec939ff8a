import * as pulumi from "@pulumi/pulumi";
import type { Layer } from "../../components/platform/layers";
import type { PlannedResource } from "../../policies/engine/args";
import { runProgram, type Program, type StackFile } from "./run";

// `npm run plan -- --stack dev --layer foundation|workloads`: one layer of the layered deployment, planned on its own.
// The foundation is the stack file's program with `data-platform:layer: foundation`. The workload layer reads the
// foundation's outputs through a StackReference, mocked with the outputs of the foundation's own offline run, so a
// renamed or missing output fails the workload plan here rather than a deployment.

/** The stack names the layered deployment uses for an environment's stack file. */
export const layerStackName = (stack: string, layer: Exclude<Layer, "all">) => `${stack}-${layer}`;

/** The stack file as one layer's stack sees it: its own name, the layer switch and, for workloads, the foundation. */
export function layerStackFile(
  base: StackFile,
  layer: Exclude<Layer, "all">,
  references?: StackFile["references"],
): StackFile {
  const foundation = layerStackName(base.stack, "foundation");
  return {
    stack: layerStackName(base.stack, layer),
    file: base.file,
    config: {
      ...base.config,
      "data-platform:layer": layer,
      ...(layer === "workloads" ? { "data-platform:foundationStack": foundation } : {}),
    },
    references,
  };
}

/** A stack output's value once the (mocked) engine has resolved it; secrets are unwrapped like `--show-secrets`. */
function resolved(value: unknown): Promise<unknown> {
  const deep = pulumi.output(value as Record<string, unknown>) as pulumi.Output<unknown>;
  return new Promise((resolve) => deep.apply((v) => resolve(v)));
}

/** Runs the foundation layer under the mocks: its resources and its stack outputs, resolved. */
export async function foundationRun(
  base: StackFile,
  program?: Program,
): Promise<{ outputs: Record<string, unknown>; resources: PlannedResource[] }> {
  const run = await runProgram(layerStackFile(base, "foundation"), program);
  const entries = await Promise.all(Object.entries(run.outputs).map(async ([k, v]) => [k, await resolved(v)] as const));
  return { outputs: Object.fromEntries(entries.filter(([, v]) => v !== undefined)), resources: run.resources };
}

/**
 * The stack file of one layer, with the foundation's outputs in place for the workload layer's StackReference, and
 * the foundation's resources as context: stack rules that join a workload to its key, boundary or cluster see them.
 */
export async function planLayer(
  base: StackFile,
  layer: Exclude<Layer, "all">,
  program?: Program,
): Promise<{ stackFile: StackFile; context: PlannedResource[] }> {
  if (layer === "foundation") return { stackFile: layerStackFile(base, "foundation"), context: [] };
  const foundation = await foundationRun(base, program);
  return {
    stackFile: layerStackFile(base, "workloads", { [layerStackName(base.stack, "foundation")]: foundation.outputs }),
    context: foundation.resources,
  };
}
