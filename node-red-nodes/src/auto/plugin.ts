// The Node-RED runtime plugin for automatic tracing (package.json → node-red.plugins →
// dist/auto/plugin.js). Off until settings.js (`threadline.autoTrace.enabled: true`) or a
// Threadline config node switches it on; see controller.ts and options.ts.
import { AutoTraceController } from './controller';
import type { PluginRED } from './red-api';

const PLUGIN_ID = 'threadline-auto-trace';
/** Node-RED may load the plugin file more than once; hooks are process-wide, so one controller per process. */
const CONTROLLER_KEY = Symbol.for('threadline.node-red.auto-trace');

type ControllerHolder = { [CONTROLLER_KEY]?: AutoTraceController };

function threadlineAutoTrace(RED: PluginRED): void {
  const holder = globalThis as ControllerHolder;
  const controller = (holder[CONTROLLER_KEY] ??= new AutoTraceController(RED));
  RED.plugins.registerPlugin(PLUGIN_ID, {
    type: PLUGIN_ID,
    onadd: () => controller.start(),
    onremove: () => {
      delete holder[CONTROLLER_KEY];
      controller.stop().catch(() => {});
    },
  });
}

export = threadlineAutoTrace;
