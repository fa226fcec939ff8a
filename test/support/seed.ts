// Property-based tests replay the same cases on every run: a failure in CI reproduces locally. FC_SEED explores others.
import fc from "fast-check";

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261203) });
