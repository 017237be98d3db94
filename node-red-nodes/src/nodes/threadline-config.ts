// The `threadline-config` node: owns one Threadline (pipeline, exporter, rules) built from its
// form, registers it for the other nodes and the automatic-tracing plugin, and flushes and shuts
// it down in its close handler, which Node-RED awaits on redeploy and on shutdown.
import type { Threadline } from '@threadline/connectors';
import { createThreadline } from '@threadline/connectors';
import type { ConfigNodeCredentials, ConfigNodeFields } from '../config-node/options';
import { configNodeSettings, describeStartProblem } from '../config-node/options';
import { registerThreadline, reportThreadlineFailure, unregisterThreadline } from '../threadline-registry';
import type { NodeDefinition, NodeRedApi, RuntimeNode } from './node-red';

export const CONFIG_NODE_TYPE = 'threadline-config';

export default function register(RED: NodeRedApi): void {
  function ThreadlineConfigNode(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    startThreadlineConfigNode(this, definition);
  }

  function startThreadlineConfigNode(node: RuntimeNode, definition: NodeDefinition): void {
    const fields = definition as ConfigNodeFields;
    const label = fields.name || fields.serviceName || CONFIG_NODE_TYPE;
    let threadline: Threadline | undefined;
    try {
      const settings = configNodeSettings(fields, (node.credentials ?? {}) as ConfigNodeCredentials, RED.settings?.userDir);
      threadline = createThreadline(settings.options);
      registerThreadline({ id: node.id, label, threadline, autoTracing: settings.autoTracing, spanDeadlineMs: settings.spanDeadlineMs });
    } catch (error) {
      const reason = describeStartProblem(error);
      reportThreadlineFailure(node.id, reason);
      node.error(`Threadline config "${label}": ${reason}`);
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      unregisterThreadline(node.id);
      if (threadline === undefined) {
        done();
        return;
      }
      // shutdown() ends tracked records as abandoned, flushes and never rejects.
      threadline.shutdown().then(done, done);
    });
  }
  RED.nodes.registerType(CONFIG_NODE_TYPE, ThreadlineConfigNode, {
    credentials: { token: { type: 'password' }, headers: { type: 'password' } },
  });
}
