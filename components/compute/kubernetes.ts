// The parts of @pulumi/kubernetes the components use, each from its own module. The package's index loads every API
// group and, through helm.v3, the Helm v3 Chart and YAML tooling (glob, minimatch, …): about 130 modules and a tenth
// of a plan's module loading, for a Release class that has a module of its own. Same classes, same resources.
import { Release } from "@pulumi/kubernetes/helm/v3/release";

export { Provider } from "@pulumi/kubernetes/provider";
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as apps from "@pulumi/kubernetes/apps";
export * as autoscaling from "@pulumi/kubernetes/autoscaling";
export * as core from "@pulumi/kubernetes/core";
export * as networking from "@pulumi/kubernetes/networking";
export * as rbac from "@pulumi/kubernetes/rbac";

/** Helm releases, as `helm.v3.Release` (the rest of helm.v3, the client-side Chart, is not used). */
export const helm = { v3: { Release } } as const;
export type HelmRelease = Release;
