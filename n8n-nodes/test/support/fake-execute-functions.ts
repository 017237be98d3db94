// A typed fake of n8n's IExecuteFunctions for unit tests: the members the Threadline node calls,
// each with the signature n8n-workflow declares, backed by plain test data (input items, node
// parameters, credentials, an ancestor graph with paired items, the execution's custom data) and
// a scripted HTTP layer that records every request. `n8nTracing` makes the HTTP helpers inject a
// traceparent into the caller's headers object the way n8n 2.19+ does with its tracing on.
import type {
  ICredentialDataDecryptedObject,
  IDataObject,
  IExecuteFunctions,
  IHttpRequestOptions,
  INode,
  INodeExecutionData,
  IWorkflowMetadata,
  NodeExecutionHint,
  NodeTypeAndVersion,
} from 'n8n-workflow';
import { ThreadlineCollectorApi } from '../../credentials/ThreadlineCollectorApi.credentials';

export interface RecordedRequest {
  /** Which helper sent it. */
  helper: 'httpRequest' | 'httpRequestWithAuthentication';
  options: IHttpRequestOptions;
  /** The headers as they went out (after n8n's injection and the credential's authentication). */
  headers: Record<string, string>;
}

export interface FakeResponse {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers a request, or throws a transport error. Default: 200 with an empty body. */
export type HttpHandler = (request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

export interface AncestorNode {
  name: string;
  type: string;
  /** Distance from the node under test (1 = directly connected). */
  depth: number;
  /** `$('name').item.json` per item index of the node under test; a missing entry cannot be paired. */
  pairedJson?: Record<number, IDataObject>;
}

export interface FakeOptions {
  items: INodeExecutionData[];
  /** Node parameters; a function gets the item index. Dotted names reach into collections. */
  parameters: Record<string, unknown | ((itemIndex: number) => unknown)>;
  credentials?: ICredentialDataDecryptedObject;
  continueOnFail?: boolean;
  ancestors?: AncestorNode[];
  http?: HttpHandler;
  /** n8n 2.x tracing: the traceparent n8n's helpers write into request headers. */
  n8nTracing?: { traceparent: string };
  /** Initial custom data of the execution; undefined makes $execution.customData unavailable. */
  customData?: Record<string, string> | null;
  /** n8n drops custom data keys past this many; default 10, as in n8n. */
  customDataMaxKeys?: number;
  nodeName?: string;
}

export const TEST_CREDENTIALS: ICredentialDataDecryptedObject = {
  endpoint: 'http://127.0.0.1:4318/v1/traces',
  protocol: 'http/json',
  token: '',
  headers: '',
  serviceName: 'n8n-test',
  samplingRatio: 1,
  baggageAccept: '*',
  baggageForward: '*',
  baggageForwardTo: 'internal',
  internalHosts: 'localhost,127.0.0.0/8,*.internal',
  baggageCopyToSpans: '',
};

export class FakeExecuteFunctions {
  readonly requests: RecordedRequest[] = [];
  readonly hints: NodeExecutionHint[] = [];
  readonly logs: Array<{ level: string; message: string }> = [];
  readonly customData: Map<string, string> | undefined;
  private readonly options: FakeOptions;
  private readonly credentialType = new ThreadlineCollectorApi();

  constructor(options: FakeOptions) {
    this.options = options;
    this.customData = options.customData === null ? undefined : new Map(Object.entries(options.customData ?? {}));
  }

  /** This fake as the IExecuteFunctions the node's execute() is called with. */
  asExecuteFunctions(): IExecuteFunctions {
    // One cast, here: the fake implements the members the node uses, with n8n-workflow's signatures.
    return this as unknown as IExecuteFunctions;
  }

  getInputData(): INodeExecutionData[] {
    return this.options.items;
  }

  getNodeParameter(name: string, itemIndex: number, fallbackValue?: unknown): unknown {
    const [head, ...rest] = name.split('.');
    const raw = this.options.parameters[head];
    let value: unknown = typeof raw === 'function' ? (raw as (index: number) => unknown)(itemIndex) : raw;
    for (const part of rest) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    if (value !== undefined) return value;
    if (fallbackValue !== undefined) return fallbackValue;
    throw new Error(`Could not get parameter "${name}"`);
  }

  async getCredentials(type: string): Promise<ICredentialDataDecryptedObject> {
    if (type !== 'threadlineCollectorApi') throw new Error(`unexpected credential type ${type}`);
    return { ...(this.options.credentials ?? TEST_CREDENTIALS) };
  }

  getNode(): INode {
    return {
      id: 'threadline-node-id',
      name: this.options.nodeName ?? 'Threadline',
      type: 'CUSTOM.threadline',
      typeVersion: 1,
      position: [0, 0],
      parameters: {},
    };
  }

  getWorkflow(): IWorkflowMetadata {
    return { id: 'wf-1', name: 'Orders', active: true };
  }

  getExecutionId(): string {
    return 'exec-42';
  }

  continueOnFail(): boolean {
    return this.options.continueOnFail === true;
  }

  getParentNodes(_nodeName: string, options?: { depth?: number }): NodeTypeAndVersion[] {
    const depth = options?.depth ?? Infinity;
    return (this.options.ancestors ?? [])
      .filter((node) => node.depth <= depth)
      .map((node) => ({ name: node.name, type: node.type, typeVersion: 1, disabled: false }));
  }

  getWorkflowDataProxy(itemIndex: number): { $: (name: string) => { item: INodeExecutionData }; $execution: unknown } {
    const ancestors = this.options.ancestors ?? [];
    const customData = this.customData;
    return {
      $: (name: string) => ({
        get item(): INodeExecutionData {
          const json = ancestors.find((node) => node.name === name)?.pairedJson?.[itemIndex];
          // n8n throws an ExpressionError when it cannot pair an item.
          if (json === undefined) throw new Error(`Paired item data for item from node '${name}' is unavailable`);
          return { json };
        },
      }),
      $execution: {
        id: 'exec-42',
        customData:
          customData === undefined
            ? undefined
            : {
                // As n8n: keys past the limit are dropped silently; other keys than [A-Za-z0-9_] throw.
                set: (key: string, value: string) => {
                  if (!customData.has(key) && customData.size >= (this.options.customDataMaxKeys ?? 10)) return;
                  if (!/^[A-Za-z0-9_]+$/.test(key)) throw new Error(`Custom data key can only contain letters, numbers, and underscores (key "${key}")`);
                  customData.set(key, value);
                },
                setAll: (values: Record<string, string>) => Object.entries(values).forEach(([key, value]) => customData.set(key, value)),
                get: (key: string) => customData.get(key),
                getAll: () => Object.fromEntries(customData),
              },
      },
    };
  }

  addExecutionHints(...hints: NodeExecutionHint[]): void {
    this.hints.push(...hints);
  }

  readonly logger = {
    debug: (message: string) => void this.logs.push({ level: 'debug', message }),
    info: (message: string) => void this.logs.push({ level: 'info', message }),
    warn: (message: string) => void this.logs.push({ level: 'warn', message }),
    error: (message: string) => void this.logs.push({ level: 'error', message }),
  };

  readonly helpers = {
    httpRequest: async (options: IHttpRequestOptions): Promise<unknown> => this.send('httpRequest', options),
    httpRequestWithAuthentication: async (_credentialsType: string, options: IHttpRequestOptions): Promise<unknown> => {
      const authenticated = await this.credentialType.authenticate(await this.getCredentials('threadlineCollectorApi'), options);
      return this.send('httpRequestWithAuthentication', authenticated);
    },
  };

  /** Export requests (to the collector endpoint) with a body. */
  exportRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.helper === 'httpRequestWithAuthentication');
  }

  private async send(helper: RecordedRequest['helper'], options: IHttpRequestOptions): Promise<unknown> {
    // Like n8n 2.x: inject into the caller's headers object, in place, before sending. Only the
    // plain helper injects (as in n8n's request helper factory).
    if (this.options.n8nTracing && helper === 'httpRequest') {
      options.headers ??= {};
      (options.headers as Record<string, string>).traceparent = this.options.n8nTracing.traceparent;
    }
    const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([key, value]) => [key.toLowerCase(), String(value)]));
    const request: RecordedRequest = { helper, options, headers };
    this.requests.push(request);
    const handler: HttpHandler = this.options.http ?? (() => ({ statusCode: 200 }));
    const response = await handler(request);
    if (!options.ignoreHttpStatusErrors && response.statusCode >= 400) throw new Error(`Request failed with status code ${response.statusCode}`);
    return options.returnFullResponse ? { statusCode: response.statusCode, body: response.body ?? '', headers: response.headers ?? {}, statusMessage: '' } : response.body;
  }
}
