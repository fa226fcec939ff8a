import { Kafka, Producer } from "kafkajs";
import { mskAuthToken } from "../../../streaming/handlers/msk-token";

export interface KafkaMessage {
  readonly key: string;
  readonly value: string;
}

export type Publish = (topic: string, messages: readonly KafkaMessage[]) => Promise<void>;

/**
 * Kafka producer for MSK with IAM auth (TLS + SASL/OAUTHBEARER signed by the function's role), connected once per
 * warm container. Idempotent producer with acks from all in-sync replicas: a retried send never duplicates.
 */
export function mskPublisher(brokers: string, region: string, clientId: string): Publish {
  const kafka = new Kafka({
    clientId,
    brokers: brokers.split(","),
    ssl: true,
    sasl: {
      mechanism: "oauthbearer",
      oauthBearerProvider: async () => ({ value: (await mskAuthToken(region)).token }),
    },
  });
  let producer: Promise<Producer> | undefined;
  const connected = () =>
    (producer ??= (async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await p.connect();
      return p;
    })().catch((e) => {
      producer = undefined;
      throw e;
    }));
  return async (topic, messages) => {
    const p = await connected();
    await p.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value })) });
  };
}
