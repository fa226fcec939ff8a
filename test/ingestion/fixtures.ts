import type { HttpSourceConfig } from "../../components/ingestion/handlers/http";

/** The payload schema of the example `orders` source used across handler tests. */
export const ORDER_SCHEMA = {
  type: "object",
  required: ["order_id", "amount", "currency", "created_at"],
  additionalProperties: false,
  properties: {
    order_id: { type: "string", pattern: "^[A-Za-z0-9-]{1,40}$" },
    amount: { type: "number", minimum: 0 },
    currency: { type: "string", enum: ["EUR", "USD", "KRW"] },
    created_at: { type: "string", format: "date-time" },
    note: { type: "string", maxLength: 200 },
  },
} as const;

export const ORDERS: HttpSourceConfig = {
  name: "orders",
  domain: "sales",
  root: "sales/source=orders/",
  schema: ORDER_SCHEMA,
  idField: "order_id",
  timeField: "created_at",
  maxBodyBytes: 4096,
  maxRecords: 20,
};

export function order(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: `o-${n}`,
    amount: 10 + n,
    currency: "EUR",
    created_at: `2024-05-0${1 + (n % 3)}T10:00:00Z`,
    ...overrides,
  };
}
