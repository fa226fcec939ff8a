import type { NamedPolicy } from "./documents";

// AWS-managed policies the plan attaches, whose documents are not in the plan. Each stand-in allows a SUPERSET of
// the AWS policy (every action of the services it touches, on every resource), written from the published
// documents: a "deny" the matrix proves with the stand-in therefore also holds for the real policy. None of them
// reaches S3, Glue, Lake Formation, Secrets Manager or STS; KMS only as DescribeKey. A policy not listed here
// still stops the evaluation, so nothing attached later is assumed harmless.

const superset = (name: string, actions: string[]): NamedPolicy => ({
  name: `${name} (stand-in: its services, all actions)`,
  doc: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] },
});

export const AWS_MANAGED_STAND_INS: Readonly<Record<string, NamedPolicy>> = {
  "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy": superset("AmazonEKSClusterPolicy", [
    "autoscaling:*",
    "ec2:*",
    "elasticloadbalancing:*",
    "iam:CreateServiceLinkedRole",
    "kms:DescribeKey",
  ]),
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy": superset("AmazonEKSWorkerNodePolicy", [
    "ec2:*",
    "eks:*",
    "eks-auth:*",
  ]),
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly": superset("AmazonEC2ContainerRegistryPullOnly", [
    "ecr:*",
  ]),
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy": superset("AmazonEKS_CNI_Policy", ["ec2:*"]),
  "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy": superset("AmazonEBSCSIDriverPolicy", ["ec2:*"]),
};
