// The container policy, read off deploy/Dockerfile and .dockerignore (no Docker engine needed).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('deploy/Dockerfile', root), 'utf8');

/** Joins continuation lines, drops comments and parser directives, splits into stages. */
function parse(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!match?.[1]) throw new Error(`cannot read FROM ${args}`);
      stages.push({ from: args, ...(match[2] ? { name: match[2] } : {}), instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [name = '', value = ''] = args.split('=');
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return { globalArgs, stages };
}

const { globalArgs, stages } = parse(dockerfile);
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const runtime = stages.at(-1)!;
const all = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const baseImage = (from: string) => {
  const image = from.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0] ?? '';
  return image.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => globalArgs[name] ?? '');
};

describe('deploy/Dockerfile', () => {
  it('is multi-stage and ends in a runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(runtime.name).toBe('runtime');
  });

  it('compiles on the build platform, so multi-arch builds do not emulate the compiler', () => {
    expect(stage('build').from).toMatch(/^--platform=\$BUILDPLATFORM\s/);
    expect(all(stage('build'), 'RUN').join('\n')).toMatch(/tsc -b/);
    // The runtime and its native dependencies are built for the target platform.
    expect(stage('deps').from).not.toMatch(/--platform/);
    expect(runtime.from).not.toMatch(/--platform/);
  });

  it('starts every stage from one pinned Node LTS image: exact version, slim Debian', () => {
    for (const s of stages) {
      const image = baseImage(s.from);
      expect(image, s.from).toMatch(/^node:(\d+)\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/);
      const major = Number(/^node:(\d+)/.exec(image)?.[1]);
      expect([22, 24]).toContain(major); // supported LTS lines; odd majors never are
    }
  });

  it('selects the service with the SERVICE build argument', () => {
    for (const s of [stage('build'), stage('deps'), runtime]) expect(all(s, 'ARG')).toContain('SERVICE');
    expect(all(stage('build'), 'COPY').join('\n')).toContain('services/${SERVICE}/');
  });

  it('installs with npm ci: production dependencies only, for the one service, in a stage with build tools', () => {
    const deps = all(stage('deps'), 'RUN').join('\n');
    expect(deps).toMatch(/npm ci --omit=dev --workspace "services\/\$\{SERVICE\}"/);
    expect(deps).toMatch(/apt-get install .*python3 make g\+\+/);
    expect(all(stage('build'), 'RUN').join('\n')).toMatch(/npm ci /);
    expect(dockerfile).not.toMatch(/npm install/);
  });

  it('keeps the toolchain out of the runtime image', () => {
    expect(all(runtime, 'RUN').join('\n')).not.toMatch(/apt-get|npm (ci|install)/);
    expect(all(runtime, 'COPY')).toEqual(expect.arrayContaining(['--from=deps /app/ ./', '--from=build /dist/ ./']));
    // And the package managers the Node image ships: the service runs node alone.
    const run = all(runtime, 'RUN').join('\n');
    for (const path of ['/usr/local/lib/node_modules/npm', '/usr/local/lib/node_modules/corepack', '/opt/yarn-*', '/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/bin/corepack', '/usr/local/bin/yarn']) {
      expect(run).toMatch(new RegExp(`rm -rf [^\\n]*${path.replace(/[*.]/g, (c) => `\\${c}`)}(\\s|$)`));
    }
  });

  it('runs as the unprivileged node user with an exec-form CMD', () => {
    expect(all(runtime, 'USER')).toEqual(['node']);
    const userIndex = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    const cmdIndex = runtime.instructions.findIndex((i) => i.keyword === 'CMD');
    expect(userIndex).toBeGreaterThan(-1);
    expect(userIndex).toBeLessThan(cmdIndex);
    const cmd = all(runtime, 'CMD');
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0]!)).toEqual(['node', 'main.js']);
    expect(all(runtime, 'ENTRYPOINT')).toEqual([]);
  });

  it('declares /tmp a volume, writable by everyone with the sticky bit, for the read-only root filesystem', () => {
    expect(all(runtime, 'VOLUME').map((v) => JSON.parse(v) as unknown)).toEqual([['/tmp']]);
    expect(all(runtime, 'RUN').join('\n')).toMatch(/chmod 1777 \/tmp/);
    const volumeIndex = runtime.instructions.findIndex((i) => i.keyword === 'VOLUME');
    const chmodIndex = runtime.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('chmod 1777 /tmp'));
    // A change to a path after it is declared a VOLUME is discarded.
    expect(chmodIndex).toBeGreaterThan(-1);
    expect(chmodIndex).toBeLessThan(volumeIndex);
  });

  it('checks its start-up with node -e fetch against /started, in exec form', () => {
    const [check] = all(runtime, 'HEALTHCHECK');
    expect(check).toBeDefined();
    const json = /\bCMD\s+(\[.*\])$/.exec(check!)?.[1];
    const command = JSON.parse(json ?? 'null') as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain("fetch('http://127.0.0.1:'+p+'/started')");
    for (const [service, port] of Object.entries({ discovery: 8761, gateway: 8082, event: 8081, booking: 8080 })) {
      expect(command[2]).toContain(`${service}:${port}`);
    }
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(new URL('.dockerignore', root), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps installed, built, generated and secret files out of the build context', () => {
    for (const pattern of ['**/node_modules', '**/dist', '.git', '**/cdk.out', '**/.env']) expect(ignored).toContain(pattern);
  });

  it('does not hide what the image build copies', () => {
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json', 'packages', 'services', 'infra']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
