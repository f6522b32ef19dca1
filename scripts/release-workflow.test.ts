// The release workflow cannot run here (it needs GitHub's runners), so it is checked statically:
// against GitHub's workflow schema with action-validator (which bundles the schema in its
// WebAssembly build, so this works offline), and for what a release depends on.
import { validateWorkflow } from '@action-validator/core';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoFile = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const WORKFLOW_PATH = repoFile('.github/workflows/release.yml');
const source = readFileSync(WORKFLOW_PATH, 'utf8');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | boolean>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  strategy?: { matrix: { os?: string[]; include?: { os: string; dist: string }[] } };
  permissions?: Record<string, string>;
  steps: Step[];
}
const workflow = parse(source) as { on: { push: { tags: string[] } }; permissions: Record<string, string>; jobs: Record<string, Job> };
const packageJson = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { scripts: Record<string, string> };
const builderConfig = parse(readFileSync(repoFile('electron-builder.yml'), 'utf8')) as { publish?: unknown };

const runs = (job: Job) => job.steps.map((step) => step.run ?? '').join('\n');

describe('.github/workflows/release.yml', () => {
  it('matches GitHub’s workflow schema', () => {
    expect(validateWorkflow(source).errors).toEqual([]);
  });

  it('the schema check rejects a broken workflow (a misspelt key, a job without runs-on)', () => {
    const misspelt = source.replace('    runs-on: ubuntu-24.04\n', '    runs_on: ubuntu-24.04\n');
    expect(misspelt).not.toBe(source);
    expect(validateWorkflow(misspelt).errors.length).toBeGreaterThan(0);
    const notYaml = source.replace('jobs:\n', 'jobs:\n  - [\n');
    expect(validateWorkflow(notYaml).errors.length).toBeGreaterThan(0);
  });

  it('passes the command-line validator, which fails on the broken copy', async () => {
    const cli = repoFile('node_modules/@action-validator/cli/cli.mjs');
    await expect(promisify(execFile)(process.execPath, [cli, WORKFLOW_PATH])).resolves.toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'release-workflow-'));
    try {
      const broken = join(dir, 'release.yml');
      await writeFile(broken, source.replace('      - run: npm run test:unit\n', '      - runn: npm run test:unit\n'));
      await expect(promisify(execFile)(process.execPath, [cli, broken])).rejects.toMatchObject({ code: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs on version tags only', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] } });
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('runs lint, typecheck and the unit tests on Windows, macOS and Ubuntu', () => {
    const unit = workflow.jobs.unit!;
    expect(unit.strategy?.matrix.os).toEqual(expect.arrayContaining(['windows-latest', 'macos-latest', 'ubuntu-latest']));
    expect(runs(unit)).toMatch(/npm ci[\s\S]*npm run lint[\s\S]*npm run typecheck[\s\S]*npm run test:unit/);
  });

  it('builds each platform’s installers with the package’s dist scripts, after the unit tests', () => {
    const installers = workflow.jobs.installers!;
    expect(installers.needs).toBe('unit');
    const include = installers.strategy?.matrix.include ?? [];
    expect(Object.fromEntries(include.map(({ os, dist }) => [os, dist]))).toEqual({
      'windows-latest': 'dist:win',
      'macos-latest': 'dist:mac',
      'ubuntu-latest': 'dist:linux',
    });
    for (const { dist } of include) expect(packageJson.scripts[dist], dist).toMatch(/electron-builder/);
    const upload = installers.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    const paths = String(upload?.with?.path);
    for (const pattern of ['*.exe', '*.dmg', '*.zip', '*.AppImage', '*.deb', 'latest*.yml', '*.blockmap']) expect(paths).toContain(`release/${pattern}`);
  });

  it('signs and notarises only from repository secrets', () => {
    const env = Object.assign({}, ...workflow.jobs.installers!.steps.map((step) => step.env ?? {})) as Record<string, string>;
    for (const secret of ['WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD', 'CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']) {
      expect(env[secret], secret).toBe(`\${{ secrets.${secret} }}`);
    }
    expect(source).not.toMatch(/CSC_LINK:\s*[^$\s]/);
  });

  it('runs the desktop end-to-end tests under xvfb, as root for the testbed', () => {
    const e2e = workflow.jobs['desktop-e2e']!;
    expect(e2e['runs-on']).toMatch(/^ubuntu/);
    expect(runs(e2e)).toMatch(/apt-get install .*janus.*xvfb/);
    expect(runs(e2e)).toMatch(/sudo .*xvfb-run .*scripts\/testbed\.ts run -- .*vitest run --project e2e e2e\/electron/);
  });

  it('publishes installers, the update feed and SHA-256 checksums once everything passed', () => {
    const release = workflow.jobs.release!;
    expect(release.needs).toEqual(['installers', 'desktop-e2e']);
    expect(release.permissions).toEqual({ contents: 'write' });
    expect(runs(release)).toMatch(/sha256sum -- \* > SHA256SUMS\.txt/);
    const publish = release.steps.find((step) => step.uses?.startsWith('softprops/action-gh-release@'));
    expect(publish?.with).toMatchObject({ files: 'release/*', fail_on_unmatched_files: true });
    // The feed electron-updater reads comes from the GitHub release.
    expect(builderConfig.publish).toMatchObject({ provider: 'github' });
  });

  it('pins every action to a version', () => {
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.uses ? [step.uses] : [])));
    expect(uses.length).toBeGreaterThan(5);
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@v\d+\.\d+\.\d+$/);
  });
});
