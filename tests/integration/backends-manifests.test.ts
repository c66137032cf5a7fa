/**
 * The deployment files in packages/infra name only things that exist in the code: every
 * env var given to a Weft container is read by packages/common/src/config.ts, every port
 * is the one the service binds by default, every command's entry file has a source, every
 * probe targets a real endpoint, and the Dockerfile copies every workspace manifest.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_ENV_NAMES, loadConfig, schedulerBindPort } from '@weft/common';
import { ROOT } from '../helpers/cluster.js';

const INFRA = path.join(ROOT, 'packages/infra');
const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; workspaces: string[] };
const WEFT_IMAGE = `weft:${rootPkg.version}`;
const ENV_NAMES = new Set(Object.values(CONFIG_ENV_NAMES));
/** Env vars of our containers that config.ts does not read but Node does. */
const RUNTIME_ENV = new Set(['NODE_ENV']);
/** Third-party images allowed, by repository (tag checked to be the documented major). */
const THIRD_PARTY: Record<string, RegExp> = { postgres: /^16(\.|$)/, redis: /^7(\.|$)/, 'minio/minio': /.+/, 'minio/mc': /.+/ };
const defaults = loadConfig({});
const PORTS = { api: defaults.port, scheduler: schedulerBindPort(defaults) };

type Doc = Record<string, any>;

function files(dir: string, re: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    return e.isDirectory() ? files(f, re) : re.test(e.name) ? [f] : [];
  });
}

function load(file: string): Doc[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { merge: true });
  return docs.map((d) => {
    assert.deepEqual(d.errors, [], `${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as Doc;
  }).filter(Boolean);
}

/** `node packages/<pkg>/dist/<file>.js` → the TypeScript source that builds it. */
function assertEntryExists(command: string[], where: string): string | undefined {
  assert.equal(command[0], 'node', `${where}: command runs node`);
  const m = /^packages\/([a-z]+)\/dist\/([\w/-]+)\.js$/.exec(command[1] ?? '');
  assert.ok(m, `${where}: ${command.join(' ')} names a built file`);
  const src = path.join(ROOT, 'packages', m[1]!, 'src', `${m[2]}.ts`);
  assert.ok(fs.existsSync(src), `${where}: ${path.relative(ROOT, src)} exists`);
  return m[1];
}

/** The service a command starts: scheduler | executors | api | other. */
function serviceOf(command: string[]): string {
  return /packages\/(scheduler|executors|api)\/dist\/main\.js$/.exec(command[1] ?? '')?.[1] ?? 'other';
}

function assertImage(image: string, where: string): boolean {
  if (image.startsWith('weft:')) {
    assert.equal(image, WEFT_IMAGE, `${where}: our image is tagged with the version in package.json`);
    return true;
  }
  const [repo, tag = 'latest'] = image.split(':');
  assert.ok(repo! in THIRD_PARTY, `${where}: unexpected image ${image}`);
  assert.match(tag, THIRD_PARTY[repo!]!, `${where}: ${image}`);
  return false;
}

function assertOurEnv(names: Iterable<string>, where: string): void {
  for (const n of names) assert.ok(ENV_NAMES.has(n) || RUNTIME_ENV.has(n), `${where}: env var ${n} is not read by packages/common/src/config.ts`);
}

describe('infra manifests name only what exists in the code', () => {
  const yamlFiles = files(INFRA, /\.ya?ml$/);

  it('every manifest parses', () => {
    assert.ok(yamlFiles.length >= 6, `found ${yamlFiles.length} YAML files`);
    for (const f of yamlFiles) assert.ok(load(f).length > 0, f);
  });

  it('the api serves /health (the probes and healthchecks rely on it)', () => {
    const sys = fs.readFileSync(path.join(ROOT, 'packages/api/src/routes/system.ts'), 'utf8');
    assert.match(sys, /path:\s*'\/health'/);
  });

  describe('docker-compose.yml', () => {
    const compose = load(path.join(INFRA, 'docker-compose.yml'))[0]!;
    const services = compose.services as Record<string, Doc>;

    it('has PostgreSQL 16, Redis 7, MinIO with a one-shot bucket creation, scheduler, executors (replicas), api on 8080', () => {
      for (const s of ['postgres', 'redis', 'minio', 'createbucket', 'scheduler', 'executors', 'api']) assert.ok(services[s], `service ${s}`);
      assert.ok(services.executors!.deploy.replicas >= 1);
      assert.deepEqual(services.api!.ports, [`${PORTS.api}:${PORTS.api}`]);
      assert.equal(services.createbucket!.restart, 'no');
      for (const s of ['scheduler', 'executors', 'api']) {
        assert.ok(services[s]!.healthcheck?.test, `${s} has a healthcheck`);
        assert.equal(services[s]!.depends_on.createbucket?.condition ?? 'service_completed_successfully', 'service_completed_successfully');
      }
    });

    it('images, commands, env vars and ports of the Weft services exist', () => {
      for (const [name, svc] of Object.entries(services)) {
        const ours = assertImage(svc.image, `compose ${name}`);
        if (!ours) continue;
        assert.equal(svc.build.dockerfile, 'packages/infra/docker/Dockerfile');
        assert.ok(fs.existsSync(path.resolve(INFRA, svc.build.context, svc.build.dockerfile)), 'the Dockerfile exists relative to the build context');
        const service = serviceOf(svc.command);
        assertEntryExists(svc.command, `compose ${name}`);
        assert.notEqual(service, 'other', `compose ${name} runs a service`);
        const env = svc.environment as Record<string, string>;
        assertOurEnv(Object.keys(env), `compose ${name}`);
        // every Weft service finds the scheduler at its default port
        assert.equal(env.WEFT_SCHEDULER_URL, `scheduler:${PORTS.scheduler}`);
        if (service !== 'executors') assert.match(env.DATABASE_URL ?? '', /^postgres:\/\/.+@postgres:5432\//, `${name} uses PostgreSQL`);
        if (service !== 'scheduler') {
          assert.equal(env.S3_ENDPOINT, 'http://minio:9000');
          assert.ok(env.S3_BUCKET && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
        }
        if (service === 'api') {
          assert.equal(env.WEFT_PORT, String(PORTS.api));
          assert.equal(env.WEFT_HOST, '0.0.0.0');
          assert.match(env.REDIS_URL ?? '', /^redis:\/\/redis:6379/);
        }
        const test = svc.healthcheck.test as string[];
        if (test[1] === 'node') assertEntryExists(test.slice(1), `compose ${name} healthcheck`);
        if (service === 'scheduler') assert.deepEqual(test.slice(-2), ['tcp', `127.0.0.1:${PORTS.scheduler}`]);
        if (service === 'api') assert.equal(test.at(-1), `http://127.0.0.1:${PORTS.api}/health`);
      }
    });
  });

  describe('Kubernetes manifests', () => {
    const docs = files(path.join(INFRA, 'k8s'), /\.ya?ml$/).flatMap((f) => load(f).map((d) => ({ file: path.basename(f), d })));
    const byKind = (kind: string) => docs.filter((x) => x.d.kind === kind);
    const configMap = byKind('ConfigMap')[0]?.d;
    const secret = byKind('Secret')[0]?.d;

    it('has a namespace, ConfigMap, Secret, scheduler/api Deployments with Services, an executors Deployment', () => {
      assert.equal(byKind('Namespace').length, 1);
      assert.ok(configMap && secret);
      const deps = byKind('Deployment').map((x) => x.d.metadata.name).sort();
      assert.deepEqual(deps, ['weft-api', 'weft-executors', 'weft-scheduler']);
      const svcs = byKind('Service').map((x) => x.d.metadata.name).sort();
      assert.deepEqual(svcs, ['weft-api', 'weft-scheduler']);
      for (const { d } of docs) if (d.kind !== 'Namespace') assert.equal(d.metadata.namespace, 'weft', `${d.kind} ${d.metadata.name} in namespace weft`);
    });

    it('ConfigMap and Secret hold only config.ts variables; the scheduler URL names the scheduler Service and port', () => {
      assertOurEnv(Object.keys(configMap!.data), 'ConfigMap');
      assertOurEnv(Object.keys(secret!.stringData), 'Secret');
      const svc = byKind('Service').find((x) => x.d.metadata.name === 'weft-scheduler')!.d;
      assert.equal(configMap!.data.WEFT_SCHEDULER_URL, `${svc.metadata.name}:${svc.spec.ports[0].port}`);
      assert.equal(svc.spec.ports[0].port, PORTS.scheduler);
    });

    for (const name of ['weft-scheduler', 'weft-api', 'weft-executors']) {
      it(`${name}: image, command, env, ports, probes and resources exist in the code`, () => {
        const dep = byKind('Deployment').find((x) => x.d.metadata.name === name)!.d;
        const spec = dep.spec.template.spec;
        assert.deepEqual(dep.spec.selector.matchLabels, dep.spec.template.metadata.labels);
        assert.equal(spec.securityContext.runAsNonRoot, true);
        const [c] = spec.containers as Doc[];
        assertImage(c!.image, name);
        const service = serviceOf(c!.command);
        assertEntryExists(c!.command, name);
        const env = (c!.env ?? []) as Doc[];
        assertOurEnv(env.map((e) => e.name), name);
        for (const e of env) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) {
            assert.equal(ref.name, secret!.metadata.name, `${name}: ${e.name} refers to the Secret`);
            assert.ok(ref.key in secret!.stringData, `${name}: secret key ${ref.key} exists`);
          }
        }
        for (const ef of c!.envFrom ?? []) if (ef.configMapRef) assert.equal(ef.configMapRef.name, configMap!.metadata.name);
        const envNames = new Set([...env.map((e) => e.name), ...Object.keys(configMap!.data)]);
        assert.ok(c!.resources?.requests && c!.resources?.limits, `${name}: resource requests and limits`);
        const ports = (c!.ports ?? []) as Doc[];
        const portByName = Object.fromEntries(ports.map((p) => [p.name, p.containerPort]));
        const probePort = (p: Doc) => (typeof p.port === 'string' ? portByName[p.port] : p.port);
        if (service === 'scheduler') {
          assert.deepEqual(ports.map((p) => p.containerPort), [PORTS.scheduler]);
          assert.equal(probePort(c!.readinessProbe.tcpSocket), PORTS.scheduler);
          assert.equal(probePort(c!.livenessProbe.tcpSocket), PORTS.scheduler);
          assert.ok(envNames.has('DATABASE_URL'));
          assert.equal(dep.spec.replicas, 1, 'one active scheduler');
        } else if (service === 'api') {
          assert.deepEqual(ports.map((p) => p.containerPort), [PORTS.api]);
          assert.equal(env.find((e) => e.name === 'WEFT_PORT')?.value, String(PORTS.api));
          assert.equal(c!.readinessProbe.httpGet.path, '/health');
          assert.equal(probePort(c!.readinessProbe.httpGet), PORTS.api);
          assert.equal(probePort(c!.livenessProbe.tcpSocket ?? c!.livenessProbe.httpGet), PORTS.api);
          for (const v of ['DATABASE_URL', 'REDIS_URL', 'S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) assert.ok(envNames.has(v), `api gets ${v}`);
        } else if (service === 'executors') {
          assert.deepEqual(ports, []);
          assert.ok(dep.spec.replicas >= 1);
          assertEntryExists(c!.readinessProbe.exec.command, `${name} readiness`);
          const slots = Number(env.find((e) => e.name === 'WEFT_EXECUTOR_SLOTS')?.value);
          assert.equal(String(slots), String(c!.resources.limits.cpu), 'slots match the CPU limit');
          for (const v of ['WEFT_SCHEDULER_URL', 'S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'WEFT_EXECUTOR_SECRET']) assert.ok(envNames.has(v), `executors get ${v}`);
        } else assert.fail(`${name} runs an unknown service`);
        const svc = byKind('Service').find((x) => x.d.metadata.name === name)?.d;
        if (svc) {
          assert.deepEqual(svc.spec.selector, dep.spec.template.metadata.labels, `${name} Service selects its pods`);
          for (const p of svc.spec.ports) assert.ok(p.targetPort in portByName || ports.some((cp) => cp.containerPort === p.targetPort), `${name} Service targets a container port`);
        }
      });
    }
  });

  describe('Dockerfile', () => {
    const text = fs.readFileSync(path.join(INFRA, 'docker/Dockerfile'), 'utf8');

    it('multi-stage on node:20-bookworm-slim, npm ci, npm run build, runs as a non-root user, default command exists', () => {
      const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
      assert.ok(froms.length >= 2, 'multi-stage');
      for (const f of froms) assert.equal(f, 'node:20-bookworm-slim');
      assert.match(text, /^RUN npm ci\b/m);
      assert.match(text, /npm run build/);
      const users = [...text.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
      assert.ok(users.length > 0 && users.at(-1) !== 'root' && users.at(-1) !== '0', 'last USER is not root');
      const cmd = /^CMD\s+(\[.*\])/m.exec(text);
      assert.ok(cmd);
      assertEntryExists(JSON.parse(cmd[1]!), 'Dockerfile CMD');
      assert.match(text, new RegExp(`EXPOSE\\s+${PORTS.api}\\s+${PORTS.scheduler}`));
    });

    it('copies every workspace manifest before npm ci, and each copied path exists', () => {
      const copied = [...text.matchAll(/^COPY\s+(?!--)(.+?)\s+(\S+)\s*$/gm)].flatMap((m) => m[1]!.split(/\s+/)).filter((p) => p !== '.');
      for (const p of copied) assert.ok(fs.existsSync(path.join(ROOT, p)), `COPY source ${p} exists`);
      for (const ws of rootPkg.workspaces) assert.ok(copied.includes(`${ws}/package.json`), `${ws}/package.json copied before npm ci`);
      assert.ok(copied.includes('package-lock.json'));
    });
  });
});
