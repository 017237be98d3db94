// V8 settings for a process whose main job is the proxy. V8 "pretenures" the objects of an
// allocation site once many of them survive a young-generation collection: it allocates every
// later one directly in the old generation. The proxy's per-request tracing objects (contexts,
// spans, their attributes) die within milliseconds, but the export batch holds spans long enough
// for some to survive, and then all of them went to the old generation: about 4 MB/s at 7,000
// traced requests a second, a major GC every few seconds and the proxy's worst latencies. With
// pretenuring off the young generation keeps them and the old generation grows ~0.1 MB/s.
// The flag is read at each collection, so setting it at startup takes effect.
import { setFlagsFromString } from 'node:v8';

let tuned = false;

/** Applies the proxy's V8 settings once per process; for the `threadline proxy` process only, not for a library host. */
export function tuneRuntimeForProxy(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
