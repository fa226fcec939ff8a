// Policy documents as the access evaluator reads them: shared by the inventory and the AWS-managed stand-ins.

export interface PolicyDoc {
  Version?: string;
  Statement: Record<string, unknown>[];
}

export interface NamedPolicy {
  readonly name: string;
  readonly doc: PolicyDoc;
}
