// Writes BENCHMARKS.md from the latest result of every benchmark (dist/bench/*.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCHMARKS, RESULTS_DIR, loadResult, table, type BenchResult } from './results';

export const REPORT_FILE = 'BENCHMARKS.md';
const RUN_FILE = join(RESULTS_DIR, 'run.json');

export interface RunSummary {
  /** Wall time of the last whole `npm run bench`. */
  totalSeconds: number;
  finishedAt: string;
}

/** Remembers a whole run's time, for every report written after it. */
export function saveRunSummary(run: RunSummary): void {
  writeFileSync(RUN_FILE, `${JSON.stringify(run)}\n`);
}

function loadRunSummary(): RunSummary | undefined {
  try {
    return JSON.parse(readFileSync(RUN_FILE, 'utf8')) as RunSummary;
  } catch {
    return undefined;
  }
}

function header(results: BenchResult[], run: RunSummary | undefined): string {
  const latest = results.reduce<BenchResult | undefined>((a, b) => (!a || b.startedAt > a.startedAt ? b : a), undefined);
  const machine = latest?.machine;
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (every benchmark) or `npm run bench:<name>` (one; the other sections',
    'keep their last run). Each benchmark prints its figures and stores them in `dist/bench/`; this',
    'file is generated from them — do not edit it by hand. The machines are shared and noisy: figures',
    'are medians and 99th percentiles, and everything compared is measured side by side in the same',
    'run, interleaved, not against numbers from another day. The load average is the 1/5/15-minute',
    'figure at the start and end of each benchmark.',
    '',
  ];
  if (machine) {
    lines.push(
      table(
        ['Machine', ''],
        [
          ['CPU', `${machine.cpu}, ${machine.cores} cores`],
          ['Memory', `${machine.memoryGiB} GiB`],
          ['OS', machine.os],
          ['Node', machine.node],
          ['Chromium', machine.chromium],
          [
            'Run',
            `${latest?.startedAt.slice(0, 10)}${run ? `; the last whole \`npm run bench\` (${run.finishedAt.slice(0, 16).replace('T', ' ')} UTC) took ${formatDuration(run.totalSeconds)}` : ''}`,
          ],
        ],
      ),
      '',
    );
  }
  return lines.join('\n');
}

function formatDuration(seconds: number): string {
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

function targetsTable(results: BenchResult[]): string {
  const rows: string[][] = [];
  for (const result of results) {
    if (result.status !== 'ok') {
      rows.push([result.title, '—', '—', '—', `${result.status}: ${result.reason ?? ''}`]);
      continue;
    }
    for (const target of result.targets)
      rows.push([result.title, target.what, target.figure, target.target, `${target.met ? '**met**' : '**missed**'} — ${target.margin}`]);
  }
  return table(['Benchmark', 'Measure', 'Figure', 'Target', 'Result'], rows);
}

function section(result: BenchResult): string {
  const lines = [
    `## ${result.title}`,
    '',
    `\`${result.command}\` — ${result.startedAt.replace('T', ' ').slice(0, 16)} UTC, ${formatDuration(result.seconds)}, load average ${result.load.start.join(' / ')} → ${result.load.end.join(' / ')}.`,
    '',
  ];
  if (result.status !== 'ok') lines.push(`**${result.status}**: ${result.reason ?? ''}`, '');
  for (const { heading, body } of result.sections) lines.push(`### ${heading}`, '', body, '');
  if (result.notes.length > 0) lines.push(...result.notes.map((note) => `- ${note}`), '');
  return lines.join('\n');
}

export function writeReport(): void {
  const run = loadRunSummary();
  const results = BENCHMARKS.map((bench) => loadResult(bench.name)).filter((result): result is BenchResult => result !== null);
  const missing = BENCHMARKS.filter((bench) => !results.some((result) => result.name === bench.name)).map((bench) => bench.name);
  const parts = [header(results, run), '## Targets', '', targetsTable(results), ''];
  if (missing.length > 0) parts.push(`Not run yet: ${missing.join(', ')}.`, '');
  parts.push(...results.map(section));
  writeFileSync(REPORT_FILE, `${parts.join('\n').trimEnd()}\n`);
}
