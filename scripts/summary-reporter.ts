// A Vitest reporter that ends the run with one summary line (after the default reporter's
// output): how many tests passed, failed and were skipped, per project, and why each skip happened,
// after the time each end-to-end group (test file) took.
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

type Tally = { passed: number; failed: number; skipped: number };

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const total: Tally = { passed: 0, failed: 0, skipped: 0 };
    const perProject = new Map<string, Tally>();
    const skipNotes: string[] = [];
    const e2eGroups: { file: string; ms: number }[] = [];
    for (const module of testModules) {
      const project = module.project.name || 'default';
      if (project === 'e2e') {
        const diagnostic = module.diagnostic();
        e2eGroups.push({ file: relative(process.cwd(), module.moduleId), ms: diagnostic.collectDuration + diagnostic.duration });
      }
      const tally = perProject.get(project) ?? { passed: 0, failed: 0, skipped: 0 };
      perProject.set(project, tally);
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const result = test.result();
        const state = result.state === 'pending' ? 'skipped' : result.state;
        tally[state] += 1;
        total[state] += 1;
        if (state === 'failed') failedTests += 1;
        if (result.state === 'skipped') skipNotes.push(`  skipped: ${test.fullName} — ${result.note ?? 'no reason given'}`);
      }
      // A file can fail outside its tests (a hook, an import): that is a failure too.
      if (module.state() === 'failed' && failedTests === 0) {
        tally.failed += 1;
        total.failed += 1;
        skipNotes.push(`  failed outside its tests: ${module.moduleId}`);
      }
    }
    const projects = [...perProject.entries()]
      .map(([name, t]) => `${name} ${t.passed} passed${t.failed ? `, ${t.failed} failed` : ''}${t.skipped ? `, ${t.skipped} skipped` : ''}`)
      .join('; ');
    const errors = unhandledErrors.length ? `, ${unhandledErrors.length} unhandled errors` : '';
    const e2eMs = e2eGroups.reduce((sum, group) => sum + group.ms, 0);
    const lines = [
      ...(e2eGroups.length
        ? ['End-to-end groups:', ...e2eGroups.map((group) => `  ${seconds(group.ms).padStart(7)}  ${group.file}`), `  ${seconds(e2eMs).padStart(7)}  in all`]
        : []),
      ...skipNotes,
      `Test summary: ${total.failed || unhandledErrors.length ? 'FAILED' : 'PASSED'} — ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped${errors} (${projects})`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
