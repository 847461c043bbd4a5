// The monitor's container (Dockerfile, .dockerignore, examples/prometheus/) and the other YAML files this
// repository ships for other tools (action.yml, .github/workflows/pages.yml). There is no container runtime on
// the build machine, so the Dockerfile is checked structurally (and built, and linted with hadolint, only
// where docker / hadolint are present); the health check's command is run against a real monitor; the
// Prometheus configuration is checked by promtool; YAML is parsed with python3-yaml (scripts/deps.sh).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startMockCvm } from '../mocks/cvm.mjs';
import { run, deadPort, join, ROOT, NOW } from './helpers.mjs';

/** @param {string} rel @returns {any} */
function yaml(rel) {
  const r = spawnSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: readFileSync(join(ROOT, rel)), encoding: 'utf8' });
  assert.equal(r.status, 0, `${rel} is not valid YAML (or python3-yaml is missing: scripts/deps.sh system): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Dockerfile instructions (continuations joined), grouped by stage.
 * @param {string} text
 * @returns {{from: string, name: string | undefined, ins: {op: string, args: string}[]}[]}
 */
function dockerStages(text) {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  /** @type {{from: string, name: string | undefined, ins: {op: string, args: string}[]}[]} */
  const stages = [];
  for (const line of joined) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    assert.ok(m, `a Dockerfile instruction: ${line}`);
    const op = m[1].toUpperCase();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(m[2].trim());
      assert.ok(f, line);
      stages.push({ from: f[1], name: f[2], ins: [] });
    } else {
      assert.ok(stages.length, `${op} before FROM`);
      stages[stages.length - 1].ins.push({ op, args: m[2].replace(/\s+/g, ' ').trim() });
    }
  }
  return stages;
}

const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

test('Dockerfile: the core is built from source, the runtime is small, non-root, read-only friendly, with a health check', () => {
  const stages = dockerStages(DOCKERFILE);
  assert.equal(stages.length, 2);
  const [build, runtime] = stages;
  assert.match(build.ins.map((i) => i.args).join('\n'), /scripts\/deps\.sh sources && make -o deps-system wasm/);
  assert.match(runtime.from, /^gcr\.io\/distroless\/nodejs20-debian12:nonroot(@sha256:[0-9a-f]{64})?$/, 'no shell, no package manager, non-root');
  const ops = (/** @type {string} */ op) => runtime.ins.filter((i) => i.op === op).map((i) => i.args);
  assert.deepEqual(ops('USER'), ['nonroot']);
  assert.deepEqual(ops('RUN'), [], 'the runtime stage runs nothing (it has no shell)');
  assert.deepEqual(ops('EXPOSE'), ['9464']);
  assert.deepEqual(ops('VOLUME'), [], 'nothing is written to disk');
  const entry = JSON.parse(ops('ENTRYPOINT')[0]);
  assert.deepEqual(entry, ['/nodejs/bin/node', '/app/js/cli.js', 'monitor', '--metrics-port', '9464']);
  const hc = ops('HEALTHCHECK')[0];
  const exec = JSON.parse(hc.slice(hc.indexOf('CMD ') + 4));
  assert.equal(exec[0], '/nodejs/bin/node', 'exec form: the image has no shell');
  // What the runtime copies is what the CLI needs: package.json (type: module) and js/ with the built core.
  assert.deepEqual(ops('COPY'), ['--from=build /src/package.json /src/LICENSE ./', '--from=build /src/js/ ./js/']);
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  for (const needed of ['src', 'Makefile', 'scripts', 'js', 'package.json', 'LICENSE']) assert.ok(!ignore.includes(needed), `${needed} reaches the build`);
  for (const host of ['node_modules', 'build', 'third_party', 'js/cvm-verify.wasm', 'js/wasm-sha256.js']) assert.ok(ignore.includes(host), `${host} from the host stays out`);
});

test('the health check command passes against a monitor serving metrics, and fails without one', async (t) => {
  const hc = dockerStages(DOCKERFILE)[1].ins.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(hc);
  const script = JSON.parse(hc.args.slice(hc.args.indexOf('CMD ') + 4))[2];
  assert.match(script, /127\.0\.0\.1:9464\/healthz/);
  const cvm = await startMockCvm();
  t.after(() => cvm.close());
  let port = 0;
  let verdict = -1;
  let stderr = '';
  const r = await run(['monitor', cvm.url, '--interval', '3600', '--now', String(NOW), '--collateral', join(ROOT, 'tests/vectors/dstack/near-mpc_collateral.json'), '--metrics-port', '127.0.0.1:0'], {
    onStderr: (chunk, child) => {
      stderr += chunk;
      const m = /metrics at http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (!m || port) return;
      port = Number(m[1]);
      const probe = run(['-e', script.replace(':9464', `:${port}`)], { cmd: [process.execPath] });
      probe.then((p) => { verdict = p.code ?? -1; child.kill('SIGTERM'); });
    },
  });
  assert.equal(r.code, 143, r.stderr);
  assert.equal(verdict, 0, 'healthy while the monitor runs');
  const dead = await run(['-e', script.replace(':9464', `:${await deadPort()}`)], { cmd: [process.execPath] });
  assert.equal(dead.code, 1, 'unhealthy without it');
});

test('examples/prometheus: the compose file runs the monitor read-only next to Prometheus, whose config promtool accepts', () => {
  const compose = yaml('examples/prometheus/docker-compose.yml');
  const here = join(ROOT, 'examples/prometheus');
  const mon = compose.services.monitor;
  assert.equal(resolve(here, mon.build.context, mon.build.dockerfile), join(ROOT, 'Dockerfile'));
  assert.equal(mon.read_only, true);
  assert.deepEqual(mon.cap_drop, ['ALL']);
  assert.ok(mon.command.every((/** @type {unknown} */ a) => typeof a === 'string'));
  const prom = compose.services.prometheus;
  for (const v of prom.volumes.filter((/** @type {string} */ v) => v.startsWith('./'))) {
    assert.ok(existsSync(resolve(here, v.split(':')[0])), `${v} mounts a file that exists`);
  }
  const config = yaml('examples/prometheus/prometheus.yml');
  assert.deepEqual(config.scrape_configs[0].static_configs[0].targets, ['monitor:9464']);
  const c = spawnSync('promtool', ['check', 'config', join(here, 'prometheus.yml')], { encoding: 'utf8' });
  assert.equal(c.status, 0, `promtool check config: ${c.stdout}${c.stderr}`);
});

test('action.yml and the example app compose file are valid YAML with the expected shape', () => {
  const action = yaml('action.yml');
  assert.deepEqual(action.runs, { using: 'node20', main: 'js/action.js' });
  assert.ok(existsSync(join(ROOT, action.runs.main)));
  const app = yaml('examples/dstack-app/docker-compose.yml');
  assert.deepEqual(app.services.app.volumes, ['/var/run/dstack.sock:/var/run/dstack.sock']);
  assert.ok(existsSync(join(ROOT, 'examples/dstack-app/Dockerfile')));
});

test('the image builds where a container runtime is present', (t) => {
  const info = spawnSync('docker', ['info'], { encoding: 'utf8', timeout: 20_000 });
  if (info.error || info.status !== 0) { t.skip('no container runtime here (docker info failed): the Dockerfile is checked structurally above'); return; }
  const b = spawnSync('docker', ['build', '-q', '-t', 'cvm-verify-monitor:test', ROOT], { encoding: 'utf8', timeout: 1_800_000 });
  assert.equal(b.status, 0, b.stderr);
});

test('hadolint accepts the Dockerfiles where it is installed', (t) => {
  const v = spawnSync('hadolint', ['--version'], { encoding: 'utf8' });
  if (v.error) { t.skip('hadolint is not installed (it is neither a Debian nor an npm package)'); return; }
  for (const f of ['Dockerfile', 'examples/dstack-app/Dockerfile']) {
    const r = spawnSync('hadolint', ['--failure-threshold', 'error', join(ROOT, f)], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`);
  }
});

test('.github/workflows/pages.yml (which cannot run here) is valid YAML that builds the core and the site and deploys it', () => {
  const wf = yaml('.github/workflows/pages.yml');
  assert.deepEqual(wf.permissions, { contents: 'read', pages: 'write', 'id-token': 'write' });
  const steps = wf.jobs.build.steps;
  const runs = steps.filter((/** @type {any} */ s) => s.run).map((/** @type {any} */ s) => s.run).join('\n');
  assert.match(runs, /scripts\/deps\.sh sources\n\s*make -o deps-system wasm/);
  assert.match(runs, /node scripts\/build-site\.mjs --out _site/);
  const upload = steps.find((/** @type {any} */ s) => String(s.uses).startsWith('actions/upload-pages-artifact@'));
  assert.equal(upload.with.path, '_site');
  assert.deepEqual(wf.jobs.deploy.needs, 'build');
  assert.ok(wf.jobs.deploy.steps.some((/** @type {any} */ s) => String(s.uses).startsWith('actions/deploy-pages@')));
  assert.ok(existsSync(join(ROOT, 'scripts/build-site.mjs')));
});

test('.github/workflows/release.yml (which cannot run here) tags a commit that carries the built core, and publishes the tarball', () => {
  const wf = yaml('.github/workflows/release.yml');
  assert.deepEqual(wf.permissions, { contents: 'write' });
  const runs = wf.jobs.release.steps.filter((/** @type {any} */ s) => s.run).map((/** @type {any} */ s) => s.run).join('\n');
  assert.match(runs, /make -o deps-system wasm/);
  assert.match(runs, /MAKE=true npm pack/, 'the tarball goes through prepack\'s check');
  assert.match(runs, /git add --force js\/cvm-verify\.wasm js\/wasm-sha256\.js/, 'the action\'s tree has the core');
  assert.match(runs, /gh release create "v\$VERSION" "cvm-verify-\$VERSION\.tgz"/);
  // The files the tag adds are exactly the ones the action needs and git ignores.
  const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8');
  assert.match(ignored, /^\/js\/cvm-verify\.wasm$/m);
  assert.match(ignored, /^\/js\/wasm-sha256\.js$/m);
});
