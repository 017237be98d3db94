// The Threadline node's parameters, grouped by operation.
import type { INodeProperties } from 'n8n-workflow';

export const OPERATIONS = [
  'continueTrace',
  'startSpan',
  'endSpan',
  'addEvent',
  'setAttributes',
  'setBaggage',
  'readBaggage',
  'removeBaggage',
  'outboundHeaders',
  'httpRequest',
] as const;

export type OperationName = (typeof OPERATIONS)[number];

function forOperations(...operation: OperationName[]): INodeProperties['displayOptions'] {
  return { show: { operation } };
}

const attributesCollection = (operations: OperationName[], description: string): INodeProperties => ({
  displayName: 'Attributes',
  name: 'attributes',
  type: 'fixedCollection',
  typeOptions: { multipleValues: true },
  placeholder: 'Add Attribute',
  default: {},
  description,
  displayOptions: forOperations(...operations),
  options: [
    {
      name: 'attribute',
      displayName: 'Attribute',
      values: [
        { displayName: 'Key', name: 'key', type: 'string', default: '', placeholder: 'order.channel' },
        { displayName: 'Value', name: 'value', type: 'string', default: '' },
      ],
    },
  ],
});

const HTTP_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].map((method) => ({ name: method, value: method }));

export const threadlineProperties: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    options: [
      { name: 'Add Event', value: 'addEvent', description: 'Add an event to the current span', action: 'Add an event to the current span' },
      { name: 'Continue Trace', value: 'continueTrace', description: 'Continue the caller\'s trace (or start one) and put it on each item', action: 'Continue the trace' },
      { name: 'End Span', value: 'endSpan', description: 'End a span opened by Start Span or Outbound Headers and send it', action: 'End a span' },
      { name: 'HTTP Request', value: 'httpRequest', description: 'Call an API with the trace headers, as a client span', action: 'Make a traced HTTP request' },
      { name: 'Outbound Headers', value: 'outboundHeaders', description: 'Put traceparent, tracestate and baggage on the item for the HTTP Request node', action: 'Create outbound trace headers' },
      { name: 'Read Baggage', value: 'readBaggage', description: 'Write the baggage members onto the item', action: 'Read baggage' },
      { name: 'Remove Baggage', value: 'removeBaggage', description: 'Remove baggage members', action: 'Remove baggage' },
      { name: 'Set Attributes', value: 'setAttributes', description: 'Set attributes on the current span', action: 'Set attributes on the current span' },
      { name: 'Set Baggage', value: 'setBaggage', description: 'Add or change baggage members allowed by the rules', action: 'Set baggage' },
      { name: 'Start Span', value: 'startSpan', description: 'Open a named span around the next steps', action: 'Start a span' },
    ],
    default: 'continueTrace',
  },

  // Continue Trace
  {
    displayName: 'Context From',
    name: 'contextSource',
    type: 'options',
    options: [
      { name: 'Headers Field', value: 'headers', description: 'Incoming HTTP headers, as the Webhook node outputs them, or a { traceparent, tracestate, baggage } object' },
      { name: 'New Trace', value: 'newTrace', description: 'Always start a new trace' },
    ],
    default: 'headers',
    displayOptions: forOperations('continueTrace'),
  },
  {
    displayName: 'Headers Field',
    name: 'headersField',
    type: 'string',
    default: 'headers',
    description: 'Path of the item field holding the headers (dots for nested fields). If the item lacks it, the trigger\'s item is found through paired items.',
    displayOptions: { show: { operation: ['continueTrace'], contextSource: ['headers'] } },
  },
  {
    displayName: 'Span Name',
    name: 'spanName',
    type: 'string',
    default: '',
    placeholder: 'n8n My Workflow',
    description: 'Name of the span this step records; empty for "n8n" and the workflow name',
    displayOptions: forOperations('continueTrace'),
  },
  {
    displayName: 'Join Platform Tracing',
    name: 'joinN8nTracing',
    type: 'boolean',
    default: true,
    description: 'Whether to find n8n\'s own trace (n8n 2.19 and later with N8N_OTEL_ENABLED) and hang the spans under it, so the workflow gives one trace. Costs one empty request to the collector per run.',
    displayOptions: forOperations('continueTrace'),
  },

  // Start Span / End Span
  {
    displayName: 'Span Name',
    name: 'spanName',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'process order',
    displayOptions: forOperations('startSpan'),
  },
  {
    displayName: 'Span Kind',
    name: 'spanKind',
    type: 'options',
    options: [
      { name: 'Client', value: 'client' },
      { name: 'Consumer', value: 'consumer' },
      { name: 'Internal', value: 'internal' },
      { name: 'Producer', value: 'producer' },
      { name: 'Server', value: 'server' },
    ],
    default: 'internal',
    displayOptions: forOperations('startSpan'),
  },
  {
    displayName: 'Which Span',
    name: 'spanToEnd',
    type: 'options',
    options: [
      { name: 'Innermost Open Span', value: 'innermost' },
      { name: 'By Name', value: 'byName' },
    ],
    default: 'innermost',
    displayOptions: forOperations('endSpan'),
  },
  {
    displayName: 'Span Name',
    name: 'spanName',
    type: 'string',
    default: '',
    required: true,
    description: 'Name of the open span to end (the innermost one with that name)',
    displayOptions: { show: { operation: ['endSpan'], spanToEnd: ['byName'] } },
  },
  {
    displayName: 'Status',
    name: 'status',
    type: 'options',
    options: [
      { name: 'Unset', value: 'unset' },
      { name: 'OK', value: 'ok' },
      { name: 'Error', value: 'error' },
    ],
    default: 'unset',
    displayOptions: forOperations('endSpan'),
  },
  {
    displayName: 'Error Message',
    name: 'errorMessage',
    type: 'string',
    default: '',
    displayOptions: { show: { operation: ['endSpan'], status: ['error'] } },
  },
  {
    displayName: 'HTTP Status Code',
    name: 'httpStatusCode',
    type: 'number',
    default: 0,
    description: 'For a client span opened by Outbound Headers: the status code the HTTP Request node got (0 for none). 4xx and 5xx make the span an error.',
    displayOptions: forOperations('endSpan'),
  },

  // Add Event
  {
    displayName: 'Event Name',
    name: 'eventName',
    type: 'string',
    default: '',
    required: true,
    displayOptions: forOperations('addEvent'),
  },
  attributesCollection(['startSpan', 'endSpan', 'addEvent', 'setAttributes', 'continueTrace'], 'Span (or event) attributes; values pass the redaction rules before they leave'),

  // Baggage
  {
    displayName: 'Baggage',
    name: 'baggageEntries',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add Member',
    default: {},
    displayOptions: forOperations('setBaggage'),
    options: [
      {
        name: 'entry',
        displayName: 'Member',
        values: [
          { displayName: 'Key', name: 'key', type: 'string', default: '', placeholder: 'tenant' },
          { displayName: 'Value', name: 'value', type: 'string', default: '' },
        ],
      },
    ],
  },
  {
    displayName: 'Output Field',
    name: 'outputField',
    type: 'string',
    default: 'baggage',
    description: 'Item field that receives the members as { key: value }',
    displayOptions: forOperations('readBaggage'),
  },
  {
    displayName: 'Remove All',
    name: 'removeAll',
    type: 'boolean',
    default: false,
    description: 'Whether to remove every member',
    displayOptions: forOperations('removeBaggage'),
  },
  {
    displayName: 'Keys',
    name: 'keys',
    type: 'string',
    default: '',
    placeholder: 'tenant, plan',
    description: 'Comma-separated keys to remove',
    displayOptions: { show: { operation: ['removeBaggage'], removeAll: [false] } },
  },

  // Outbound Headers / HTTP Request
  {
    displayName: 'Method',
    name: 'method',
    type: 'options',
    options: HTTP_METHODS,
    default: 'GET',
    displayOptions: forOperations('outboundHeaders', 'httpRequest'),
  },
  {
    displayName: 'URL',
    name: 'url',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'http://inventory.internal/api/items',
    description: 'Where the call goes: decides which baggage members may travel (internal or external host) and names the client span',
    displayOptions: forOperations('outboundHeaders', 'httpRequest'),
  },
  {
    displayName: 'Headers Output Field',
    name: 'headersOutputField',
    type: 'string',
    default: 'traceHeaders',
    description: 'Item field that receives { traceparent, tracestate, baggage } for the HTTP Request node',
    displayOptions: forOperations('outboundHeaders'),
  },
  {
    displayName: 'Headers',
    name: 'requestHeaders',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add Header',
    default: {},
    displayOptions: forOperations('httpRequest'),
    options: [
      {
        name: 'header',
        displayName: 'Header',
        values: [
          { displayName: 'Name', name: 'name', type: 'string', default: '' },
          { displayName: 'Value', name: 'value', type: 'string', default: '' },
        ],
      },
    ],
  },
  {
    displayName: 'Body',
    name: 'body',
    type: 'json',
    default: '',
    description: 'JSON body to send; empty for none',
    displayOptions: { show: { operation: ['httpRequest'], method: ['PATCH', 'POST', 'PUT', 'DELETE'] } },
  },
  {
    displayName: 'Options',
    name: 'requestOptions',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    displayOptions: forOperations('httpRequest'),
    options: [
      {
        displayName: 'Never Error',
        name: 'neverError',
        type: 'boolean',
        default: false,
        description: 'Whether to succeed even when the response status is 4xx or 5xx (the span still records it as an error)',
      },
      {
        displayName: 'Timeout',
        name: 'timeout',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 10000,
        description: 'Milliseconds to wait for the response',
      },
    ],
  },
];
