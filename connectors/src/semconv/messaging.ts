// Messaging semantic-convention attributes and span names for producer and consumer spans.
// The messaging conventions are still in development, so @opentelemetry/semantic-conventions
// exports them only from its `incubating` entry, which may break in a minor release; its own
// guidance is to copy the few names needed, which is what these constants are.

import type { Attributes } from '@opentelemetry/api';

export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';

/** Well-known messaging.system values; any other string is allowed too. */
export type MessagingSystem = 'kafka' | 'rabbitmq' | 'mqtt' | 'activemq' | 'aws_sqs' | 'gcp_pubsub' | (string & {});

/** messaging.operation.type values a producer span can have. */
export type ProducerOperationType = 'send' | 'create';

/** messaging.operation.type values a consumer span can have. */
export type ConsumerOperationType = 'process' | 'receive';

export interface MessagingSpanInfo {
  system: MessagingSystem;
  /** Topic, queue or exchange name. */
  destination: string;
  operationType: ProducerOperationType | ConsumerOperationType;
  /** System-specific operation name (e.g. `publish`); defaults to the operation type. */
  operationName?: string;
  messageId?: string;
  /** Number of messages, for a span that covers a batch. */
  batchSize?: number;
}

/** `{operation name} {destination}`, e.g. `send orders`, `process orders`. */
export function messagingSpanName(info: MessagingSpanInfo): string {
  const operationName = info.operationName ?? info.operationType;
  return info.destination ? `${operationName} ${info.destination}` : operationName;
}

export function messagingAttributes(info: MessagingSpanInfo): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: info.system,
    [ATTR_MESSAGING_OPERATION_TYPE]: info.operationType,
    [ATTR_MESSAGING_OPERATION_NAME]: info.operationName ?? info.operationType,
  };
  if (info.destination) attributes[ATTR_MESSAGING_DESTINATION_NAME] = info.destination;
  if (info.messageId !== undefined) attributes[ATTR_MESSAGING_MESSAGE_ID] = info.messageId;
  if (info.batchSize !== undefined) attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] = info.batchSize;
  return attributes;
}
