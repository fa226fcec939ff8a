// The HTTP handler for sources that also publish to Kafka. A separate entry so that only these functions carry
// the Kafka client and MSK IAM signer (about 2 MB) and the others stay small and quick to bundle.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { fromEnvironment } from "./http";
import { requireEnv } from "./lib/env";
import { mskPublisher } from "./lib/kafka";

let live: ReturnType<typeof fromEnvironment> | undefined;

export const handler = (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> =>
  (live ??= fromEnvironment(
    mskPublisher(requireEnv("KAFKA_BROKERS"), requireEnv("AWS_REGION"), requireEnv("AWS_LAMBDA_FUNCTION_NAME")),
  ))(event, context);
