import { CLASSIFICATIONS } from "../../components/core/types";
import { RESTRICTED_CLEARANCE_TAG } from "../../components/security/documents";
import { ALWAYS, PlatformRule, PROD_ONLY, resourceRule, stackRule } from "./define";
import {
  awsPrincipals,
  classificationOf,
  grants,
  KEY_USE,
  KMS,
  positiveConditionKeys,
  servicePrincipals,
} from "./graph";
import { parsePolicy } from "./util";
import { stackIndex } from "./stack-index";

/** Condition keys that narrow key use to particular callers (AWS principals) or particular sources (services). */
const CALLER_SCOPING = ["aws:principalarn", "aws:principaltag/", "kms:viaservice", "aws:principalorgpaths"];
const SOURCE_SCOPING = [
  "aws:sourceaccount",
  "aws:sourcearn",
  "kms:encryptioncontext:",
  "kms:viaservice",
  "kms:calleraccount",
];

const usesKey = (s: { Effect?: string; Action?: string | string[] }) => KEY_USE.some((a) => grants(s, a));

export const kmsRules: PlatformRule[] = [
  resourceRule({
    name: "kms-key-deletion-window",
    description:
      "A scheduled key deletion waits the full 30 days, so a mistaken deletion can be cancelled before the data it protects becomes unreadable.",
    remediation: "Set deletionWindowInDays to 30 (the staging and prod profiles do; dev may shorten it).",
    group: "reliability",
    resourceTypes: [KMS.key],
    enforcement: PROD_ONLY,
    validate(r, report) {
      const days = r.props.deletionWindowInDays as number | undefined;
      if (days !== undefined && days < 30) report(`deletion window is ${days} days, not 30`);
    },
  }),
  resourceRule({
    name: "kms-key-use-scoped",
    description:
      "Key policies grant key use only with a condition naming who may use it (platform role path, principal tag, calling service or source), never to a whole account or service.",
    remediation:
      "Add an aws:PrincipalArn / aws:PrincipalTag / kms:ViaService condition to AWS principals, aws:SourceAccount or an encryption-context condition to service principals (see SecurityFoundation keyPolicy).",
    group: "security",
    resourceTypes: [KMS.key],
    enforcement: ALWAYS,
    validate(r, report) {
      for (const s of parsePolicy(r.props.policy)?.Statement ?? []) {
        if (!usesKey(s)) continue;
        const keys = positiveConditionKeys(s);
        const has = (scoping: string[]) => keys.some((k) => scoping.some((p) => k.startsWith(p)));
        if (awsPrincipals(s).length > 0 && !has(CALLER_SCOPING))
          report(`statement ${s.Sid ?? "(no Sid)"} lets every principal of ${awsPrincipals(s).join(", ")} use the key`);
        if (servicePrincipals(s).length > 0 && !has(SOURCE_SCOPING))
          report(`statement ${s.Sid ?? "(no Sid)"} lets ${servicePrincipals(s).join(", ")} use the key for any caller`);
      }
    },
  }),
  resourceRule({
    name: "kms-key-classified",
    description:
      "Every customer-managed key carries the data-classification it protects, which is how the pack checks that data uses the right key.",
    remediation: "Tag the key with data-classification (SecurityFoundation creates one key per classification).",
    group: "governance",
    resourceTypes: [KMS.key],
    enforcement: ALWAYS,
    validate(r, report) {
      const c = classificationOf(r);
      if (!c) report("has no data-classification tag");
      else if (!(CLASSIFICATIONS as readonly string[]).includes(c))
        report(`data-classification '${c}' is not one of ${CLASSIFICATIONS.join(", ")}`);
    },
  }),
  stackRule({
    name: "kms-key-aliased",
    description:
      "Every key has an alias in the stack (outside the reserved alias/aws/ namespace): operators and key references find keys by alias, not by id.",
    remediation: "Add an aws.kms.Alias alias/<prefix>-<classification> targeting the key.",
    group: "governance",
    resourceTypes: [KMS.key, KMS.alias],
    enforcement: ALWAYS,
    validate(resources, report) {
      const aliases = stackIndex(resources).ofType(KMS.alias);
      for (const a of aliases)
        if (String(a.props.name ?? "").startsWith("alias/aws/"))
          report(`alias '${a.props.name}' uses the namespace reserved for AWS-managed keys`, a.urn);
      for (const key of stackIndex(resources).ofType(KMS.key)) {
        if (stackIndex(resources).dependents(key, KMS.alias).length === 0)
          report(`key '${key.name}' has no alias`, key.urn);
      }
    },
  }),
  resourceRule({
    name: "kms-restricted-key-requires-clearance",
    description: `The restricted key is usable only by principals carrying the ${RESTRICTED_CLEARANCE_TAG}=restricted tag, and by no AWS service principal directly.`,
    remediation: `Condition every use statement of the restricted key on aws:PrincipalTag/${RESTRICTED_CLEARANCE_TAG} = restricted; encrypt logs and other service data with a lower key.`,
    group: "security",
    resourceTypes: [KMS.key],
    enforcement: ALWAYS,
    validate(r, report) {
      if (classificationOf(r) !== "restricted") return;
      const tagKey = `aws:principaltag/${RESTRICTED_CLEARANCE_TAG}`.toLowerCase();
      for (const s of parsePolicy(r.props.policy)?.Statement ?? []) {
        if (!usesKey(s)) continue;
        if (servicePrincipals(s).length > 0)
          report(`statement ${s.Sid ?? "(no Sid)"} lets ${servicePrincipals(s).join(", ")} use the restricted key`);
        const clearance = Object.entries(s.Condition?.StringEquals ?? {}).some(
          ([k, v]) => k.toLowerCase() === tagKey && v === "restricted",
        );
        if (awsPrincipals(s).length > 0 && !clearance)
          report(`statement ${s.Sid ?? "(no Sid)"} grants use without the clearance tag`);
      }
    },
  }),
];
