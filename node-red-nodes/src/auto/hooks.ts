// The tracer's runtime hooks, all under one label so one call removes them: `*.threadline`.
// Node-RED's hook registry is process-wide and survives redeploys; a label owns each hook once,
// so installing first removes whatever an earlier install left behind.
import type { NodeTracer } from './node-tracer';
import type { RuntimeHooks } from './red-api';

export const HOOK_LABEL = 'threadline';

// Only what the tracer needs: every registered hook costs a dispatch per node per message.
const HOOKS = ['preDeliver', 'onReceive', 'onComplete'] as const;

export function installHooks(hooks: RuntimeHooks, tracer: NodeTracer): void {
  removeHooks(hooks);
  for (const hook of HOOKS) {
    // the handlers catch their own errors and return nothing: returning false would stop the message
    hooks.add(`${hook}.${HOOK_LABEL}`, tracer[hook] as (event: never) => void);
  }
}

export function removeHooks(hooks: RuntimeHooks): void {
  hooks.remove(`*.${HOOK_LABEL}`);
}
