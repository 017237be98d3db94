// Enrich stage: every span of a pipeline carries one Resource describing the service, with the
// semantic-convention names, on top of OpenTelemetry's defaults (telemetry.sdk.*).
import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import type { ServiceConfig } from '../config/types';

/** Extra attributes first, so the named fields win (as OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES). */
export function serviceResourceAttributes(service: ServiceConfig): Attributes {
  const attributes: Attributes = { ...service.attributes };
  attributes[ATTR_SERVICE_NAME] = service.name;
  if (service.version) attributes[ATTR_SERVICE_VERSION] = service.version;
  if (service.namespace) attributes[ATTR_SERVICE_NAMESPACE] = service.namespace;
  if (service.environment) attributes[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = service.environment;
  return attributes;
}

export function buildResource(service: ServiceConfig): Resource {
  return defaultResource().merge(resourceFromAttributes(serviceResourceAttributes(service)));
}
