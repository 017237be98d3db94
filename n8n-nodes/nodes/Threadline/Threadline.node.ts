import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { threadlineProperties } from './description';
import { runThreadline } from './run';

/** Carries one W3C trace through the workflow and sends its spans to an OpenTelemetry collector. */
export class Threadline implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Threadline',
    name: 'threadline',
    icon: { light: 'file:threadline.svg', dark: 'file:threadline.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{$parameter["operation"]}}',
    description: 'Carry one W3C trace (traceparent, tracestate, baggage) through the workflow and send its spans over OTLP',
    defaults: { name: 'Threadline' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'threadlineCollectorApi', required: true }],
    properties: threadlineProperties,
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return runThreadline(this);
  }
}
