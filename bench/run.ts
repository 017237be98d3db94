// `npm run bench`: every benchmark of the repository in one run, each against a baseline taken
// in the same run, with the machine it ran on. Benchmarks are measured here, never in tests.
import { runCodecBench } from './codec.bench';
import { machine } from './machine';
import { runPipelineBench } from './pipeline.bench';
import { runRedactionBench } from './redaction.bench';

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  console.log(`Threadline benchmarks — ${new Date().toISOString()}`);
  console.log(`machine: ${machine()}\n`);

  console.log('connectors: parse-and-inject (extract from a header map, inject into a fresh one)');
  const codec = await runCodecBench();
  for (const row of codec) console.log(`  ${row.name.padEnd(58)} ${fmt(row.opsPerSec).padStart(12)} ops/s`);
  // Rows come in pairs per header: "<header>  threadline …" and "<header>  core …".
  for (const ours of codec.filter((row) => row.name.includes(' threadline '))) {
    const header = ours.name.split('  ')[0];
    const core = codec.find((row) => row.name.startsWith(`${header}  core `));
    if (core) console.log(`  ratio ${header}: threadline / core = ${(ours.opsPerSec / core.opsPerSec).toFixed(2)}x`);
  }

  console.log('\nconnectors: span pipeline throughput to a local OTLP receiver process');
  const pipeline = await runPipelineBench();
  for (const row of pipeline) {
    console.log(`  ${row.name.padEnd(58)} ${fmt(row.spansPerSec).padStart(12)} spans/s${row.note ? `  (${row.note})` : ''}`);
  }
  const baseline = pipeline.find((row) => row.name.startsWith('baseline'));
  for (const row of baseline ? pipeline.filter((r) => r !== baseline) : []) {
    console.log(`  ratio ${row.name} / baseline = ${(row.spansPerSec / baseline!.spansPerSec).toFixed(2)}x`);
  }

  console.log('\nconnectors: redaction of a typical HTTP server span (~20 attributes), strict default rules vs off');
  for (const row of await runRedactionBench()) {
    console.log(`  ${row.name.padEnd(58)} ${fmt(row.spansPerSec).padStart(12)} spans/s  ${row.microsPerSpan.toFixed(2).padStart(7)} µs/span (median)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
