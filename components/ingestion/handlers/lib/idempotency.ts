import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import type { Context } from "aws-lambda";
import { optionalEnv } from "./env";

export type PersistenceStore = BasePersistenceLayer;

/** The shared idempotency table, when configured (always, when deployed by the platform). */
export function idempotencyStore(): PersistenceStore | undefined {
  const tableName = optionalEnv("IDEMPOTENCY_TABLE");
  return tableName ? new DynamoDBPersistenceLayer({ tableName }) : undefined;
}

/**
 * Wraps a handler so a repeated event (same value at `keyPath`) returns the first result instead of running again.
 * A throw is never stored: the key is released, so a retry runs again (how a handler keeps an answer uncached).
 * Keys are prefixed with the function name: the role's dynamodb:LeadingKeys condition allows only that prefix,
 * so functions sharing the table cannot read or overwrite each other's records.
 */
export function idempotentHandler<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
  store: PersistenceStore | undefined,
  keyPath: string,
  expiresAfterSeconds = 3600,
  payloadPath?: string,
): (event: E, context: Context) => Promise<R> {
  if (!store) return fn;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: keyPath,
    throwOnNoIdempotencyKey: false,
    expiresAfterSeconds,
    // The stored answer is bound to a hash of this part of the event: the same key with another payload is refused
    // (IdempotencyValidationError) instead of replaying an answer about different data.
    ...(payloadPath ? { payloadValidationJmesPath: payloadPath } : {}),
  });
  const keyPrefix = optionalEnv("AWS_LAMBDA_FUNCTION_NAME") ?? "local";
  return makeIdempotent(fn, { persistenceStore: store, config, keyPrefix }) as (
    event: E,
    context: Context,
  ) => Promise<R>;
}
