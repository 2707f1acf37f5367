import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { NATIVE_TIMER_FILE } from '../../src/timing/native-timer.js';

/**
 * The Kubernetes manifests are not applied here (no cluster), so they are held to what can
 * be checked: they parse, every flag they pass exists in the CLI's own help, secrets come
 * from Secrets, agents are fenced by an allowlist and the Job is bounded and not retried.
 * Nor is the image built (no Docker daemon): its build stage is held to copying every file
 * the package's own build and install scripts name, and the image to shipping the timer.
 */
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const load = (f: string): Doc[] =>
  parseAllDocuments(readFileSync(join(ROOT, 'deploy/k8s', f), 'utf8')).map((d) => d.toJS() as Doc);

const flagsOf = (args: string[]): string[] => args.filter((a) => a.startsWith('--'));

let agentHelp = '';
let benchHelp = '';
beforeAll(async () => {
  agentHelp = (await runCli(['agent', '--help'])).stdout;
  benchHelp = (await runCli(['--help'])).stdout;
});

describe('deploy/k8s', () => {
  it('agents: a Deployment whose flags exist, password from a Secret, targets fenced', () => {
    const [dep] = load('agents-deployment.yaml');
    expect(dep!.kind).toBe('Deployment');
    const c = dep!.spec.template.spec.containers[0];
    expect(c.args[0]).toBe('agent');
    for (const f of flagsOf(c.args)) expect(agentHelp, f).toContain(f);
    expect(c.args).toContain('--allow-target');
    expect(c.args).toContain('--password-env');
    const pw = c.args[c.args.indexOf('--password-env') + 1];
    const env = c.env.find((e: Doc) => e.name === pw);
    expect(env.valueFrom.secretKeyRef.name).toBe('bench-agent-bus');
  });

  it('coordinator: a bounded, never-retried Job whose flags exist', () => {
    const docs = load('coordinator-job.yaml');
    const job = docs.find((d) => d.kind === 'Job')!;
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const c = job.spec.template.spec.containers[0];
    for (const f of flagsOf(c.args)) expect(benchHelp, f).toContain(f);
    expect(c.args).toContain('--agents');
    const mount = c.volumeMounts[0].mountPath;
    expect(c.args[c.args.indexOf('--out') + 1].startsWith(`${mount}/`)).toBe(true);
    const claim = job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName;
    expect(docs.some((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === claim)).toBe(
      true,
    );
  });

  it('the Secret example is the one both refer to, and the image runs the built CLI', () => {
    const [secret] = load('bus-credentials.example.yaml');
    expect(secret!.kind).toBe('Secret');
    expect(secret!.metadata.name).toBe('bench-agent-bus');
    const dockerfile = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "\/app\/dist\/cli\/bench-router\.js"\]/);
  });

  it('the image builds as the package does, and ships the precise timer', () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
    const [buildStage, imageStage] = dockerfile.split(/^FROM /m).slice(1);
    const copied = [...buildStage!.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) =>
      m[1]!.trim().split(/\s+/).slice(0, -1),
    );
    const inImage = (f: string): boolean =>
      copied.some((c) => f === c || f.startsWith(`${c.replace(/\/$/, '')}/`));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const named = [
      ...`${pkg.scripts.build} ${pkg.scripts.install}`.matchAll(/(?:-p|node) (\S+\.(?:json|mjs))/g),
    ].map((m) => m[1]!);
    expect(named).toContain('scripts/build-native.mjs');
    for (const f of [...named, 'native/binding.gyp', 'native/precise_timer.c'])
      expect(inImage(f), f).toBe(true);
    const timer = relative(ROOT, NATIVE_TIMER_FILE);
    // The install script never fails; the image build must when the timer was not built.
    expect(buildStage).toContain(`test -f ${timer}`);
    expect(imageStage).toContain(`COPY --from=build /app/${timer} ./${dirname(timer)}/`);
  });
});
