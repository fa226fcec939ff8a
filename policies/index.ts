// The policy pack as the Pulumi CLI loads it: `pulumi preview --policy-pack policies --policy-pack-config policies/config/<env>.json`.
// Only this file constructs the PolicyPack (its constructor starts the analyzer server); everything else imports rules/.
import { PolicyPack } from "@pulumi/policy";
import { allRules } from "./rules";

new PolicyPack("data-platform", { policies: [...allRules] });
