// What each benchmark hands to BENCHMARKS.md: its targets (figure, limit, met or missed by how
// much), its tables and its notes, stored as JSON under dist/bench/ until the report is written.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt } from './stats';
import { describeMachine, loadAverage, type Machine } from './machine';

export const RESULTS_DIR = 'dist/bench';

/** Every benchmark, in the order `npm run bench` runs them, with the time it may take at most. */
export const BENCHMARKS = [
  { name: 'frame-crypto', title: 'Frame crypto', budgetMinutes: 6 },
  { name: 'handshake', title: 'Call handshake: hybrid post-quantum against classical', budgetMinutes: 3 },
  { name: 'transform-latency', title: 'Transform latency in a real call', budgetMinutes: 7 },
  { name: 'call-setup', title: 'Call setup', budgetMinutes: 8 },
  { name: 'server-load', title: 'Server capacity', budgetMinutes: 8 },
  { name: 'client-footprint', title: 'Client footprint', budgetMinutes: 4 },
] as const;
export type BenchName = (typeof BENCHMARKS)[number]['name'];

export interface Target {
  /** What is measured, e.g. "CPU share of one core, Opus 50 fps + 720p 30 fps, send + receive". */
  what: string;
  figure: string;
  target: string;
  met: boolean;
  /** "met with 68 % to spare" or "missed by 0.4 ms (40 %)". */
  margin: string;
}

export interface BenchResult {
  name: BenchName;
  title: string;
  command: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  startedAt: string;
  seconds: number;
  load: { start: number[]; end: number[] };
  machine: Machine;
  targets: Target[];
  /** Markdown blocks under their own headings, in order. */
  sections: { heading: string; body: string }[];
  notes: string[];
}

/**
 * A target where lower is better (`at most`) or higher is better (`at least`).
 * `unit` follows the numbers ("ms", " %", " MB").
 */
export function target(what: string, figure: number, limit: number, direction: 'at most' | 'at least', unit: string, digits = 1): Target {
  const met = direction === 'at most' ? figure <= limit : figure >= limit;
  const gap = Math.abs(figure - limit);
  const share = limit === 0 ? '' : ` (${fmt((100 * gap) / limit, 0)} %)`;
  return {
    what,
    figure: `${fmt(figure, digits)}${unit}`,
    target: `${direction === 'at most' ? '≤' : '≥'} ${fmt(limit, digits)}${unit}`,
    met,
    margin: met ? `met with ${fmt(gap, digits)}${unit}${share} to spare` : `missed by ${fmt(gap, digits)}${unit}${share}`,
  };
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Collects one benchmark's result while it runs, and saves it. */
export class BenchRecorder {
  private readonly started = Date.now();
  private readonly loadAtStart = loadAverage();
  readonly targets: Target[] = [];
  readonly sections: { heading: string; body: string }[] = [];
  readonly notes: string[] = [];

  constructor(private readonly name: BenchName) {}

  section(heading: string, body: string): void {
    this.sections.push({ heading, body });
    console.log(`\n## ${heading}\n${body}`);
  }

  addTarget(result: Target): void {
    this.targets.push(result);
    console.log(`target: ${result.what}: ${result.figure} (target ${result.target}) — ${result.margin}`);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  save(status: BenchResult['status'] = 'ok', reason?: string): BenchResult {
    const meta = BENCHMARKS.find((bench) => bench.name === this.name)!;
    const result: BenchResult = {
      name: this.name,
      title: meta.title,
      command: `npm run bench:${this.name}`,
      status,
      ...(reason !== undefined ? { reason } : {}),
      startedAt: new Date(this.started).toISOString(),
      seconds: Math.round((Date.now() - this.started) / 1000),
      load: { start: this.loadAtStart, end: loadAverage() },
      machine: describeMachine(),
      targets: this.targets,
      sections: this.sections,
      notes: this.notes,
    };
    saveResult(result);
    return result;
  }
}

export function saveResult(result: BenchResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

export function loadResult(name: BenchName): BenchResult | null {
  try {
    return JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchResult;
  } catch {
    return null;
  }
}
