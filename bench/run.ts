// `npm run bench`: every benchmark in turn, each as its own process and within its time budget,
// then BENCHMARKS.md with all their figures and the total run time. Names on the command line
// run only those benchmarks.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { saveRunSummary, writeReport } from './lib/report';
import { BENCHMARKS, BenchRecorder, RESULTS_DIR, loadResult } from './lib/results';

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; there are ${BENCHMARKS.map((bench) => bench.name).join(', ')}`);
  process.exit(2);
}

const started = Date.now();
let failures = 0;
for (const bench of BENCHMARKS.filter((b) => chosen.length === 0 || chosen.includes(b.name))) {
  console.log(`\n==== ${bench.name} (at most ${bench.budgetMinutes} min)`);
  rmSync(join(RESULTS_DIR, `${bench.name}.json`), { force: true });
  const benchStarted = Date.now();
  const status = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${bench.name}.ts`], { stdio: 'inherit', detached: true });
    // The benchmark stops itself within its budget. Past it and a minute's grace, its process group is
    // asked to stop (the testbed then takes its namespaces and Janus down), and killed 30 s later.
    const stop = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    const term = setTimeout(() => stop('SIGTERM'), (bench.budgetMinutes + 1) * 60_000);
    const kill = setTimeout(() => stop('SIGKILL'), (bench.budgetMinutes + 1.5) * 60_000);
    child.once('exit', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve(code ?? 1);
    });
  });
  if (!loadResult(bench.name)) new BenchRecorder(bench.name).save('failed', `exited with ${status} without a result`);
  const result = loadResult(bench.name)!;
  if (status !== 0 || result.status === 'failed') failures++;
  console.log(`==== ${bench.name}: ${result.status}${result.reason ? ` (${result.reason})` : ''} in ${Math.round((Date.now() - benchStarted) / 1000)} s`);
}
const totalSeconds = Math.round((Date.now() - started) / 1000);
if (chosen.length === 0) saveRunSummary({ totalSeconds, finishedAt: new Date().toISOString() });
writeReport();
console.log(
  `\nBENCHMARKS.md written; ${chosen.length === 0 ? 'all benchmarks' : chosen.join(', ')} took ${totalSeconds} s${failures ? `, ${failures} failed` : ''}.`,
);
process.exitCode = failures > 0 ? 1 : 0;
