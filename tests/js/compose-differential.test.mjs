// The image check against Compose's own YAML library (issue 13 item 1, docs/compose-model.md).
// build/native/compose-images-cli runs src/compose_images.c; build/native/compose-oracle decodes the same
// text with yaml.v3 (what compose-go is built on) and applies Compose's loading rules. Both print, per
// case, the images that run and whether each is pinned. Generated cases (seeded) and fixed cases for each
// construct of the issue must agree; the C side may refuse (fail closed) but must then say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

const CLI = join(ROOT, 'build/native/compose-images-cli');
const ORACLE = join(ROOT, 'build/native/compose-oracle');
const have = existsSync(CLI) && existsSync(ORACLE);

/** @param {string} bin @param {string[]} cases @returns {any[]} */
function runAll(bin, cases) {
  const out = execFileSync(bin, [], { input: cases.join('\0'), maxBuffer: 1 << 28, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  const lines = out.toString('utf8').trimEnd().split('\n');
  assert.equal(lines.length, cases.length, `${bin}: one line per case`);
  return lines.map((l) => JSON.parse(l));
}

/** A comparable form of a result: sorted (kind, service, image, pinned). @param {any} r */
const norm = (r) => (r.images ?? []).map((/** @type {any} */ i) => `${i.kind}|${i.service}|${i.image}|${i.pinned}`).sort();

const HEX = 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdef0123456789';
const PIN = `@sha256:${HEX}`;

// ---- fixed cases: each construct the issue names. `unpinned` lists the services Compose runs unpinned
// (the old reader called every one of them pinned).
export const FIXED = [
  { name: 'a second document replaces the image',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n---\nservices:\n  web:\n    image: nginx:latest\n`, unpinned: ['web'] },
  { name: 'a second document adds a service',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n...\n---\nservices:\n  evil:\n    image: evil:latest\n`, unpinned: ['evil'] },
  { name: '!reset removes the image, a merged tag image takes over',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n---\nx-b: &b\n  image: nginx:latest\nservices:\n  web:\n    <<: *b\n    image: !reset null\n`,
    unpinned: ['web'] },
  { name: '!reset on image leaves build to take over',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n---\nservices:\n  web:\n    image: !reset\n    build: .\n`, unpinned: ['web'] },
  { name: '!override replaces the whole service',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n---\nservices:\n  web: !override\n    build: ./src\n`, unpinned: ['web'] },
  { name: 'an image volume',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n    volumes:\n      - type: image\n        source: evil:latest\n        target: /opt\n`, unpinned: ['web'] },
  { name: 'include',
    yaml: `include:\n  - https://example.com/compose.yaml\nservices:\n  web:\n    image: nginx${PIN}\n`, unpinned: ['include'] },
  { name: 'build with a pinned image',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n    build: .\n`, unpinned: ['web'] },
  { name: 'pull_policy build',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n    pull_policy: build\n`, unpinned: ['web'] },
  { name: 'extends from another file',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n    extends:\n      file: other.yaml\n      service: base\n`, unpinned: ['web'] },
  { name: 'interpolation in the extends target',
    yaml: `services:\n  base:\n    image: nginx${PIN}\n  web:\n    extends: \${BASE}\n`, unpinned: ['web'] },
  { name: '$VAR interpolation in an image volume source',
    yaml: `services:\n  web:\n    image: nginx${PIN}\n    volumes:\n      - {type: image, source: "$REG/x${PIN}", target: /x}\n`, unpinned: ['web'] },
];

// ---- generated cases ----

/** mulberry32 @param {number} a */
function prng(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {number} seed */
export function generate(seed) {
  const r = prng(seed);
  const pick = (/** @type {any[]} */ a) => a[Math.floor(r() * a.length)];
  const chance = (/** @type {number} */ p) => r() < p;
  const names = ['web', 'db', 'api', 'worker', 'cache'];
  const images = [`nginx${PIN}`, `ghcr.io/acme/app${PIN}`, 'nginx:1.25', 'redis', `\${REG}/app${PIN}`, `$REG/x${PIN}`,
    `busybox:1${PIN}`, `alpine${PIN.slice(0, -1)}`, `postgres${PIN.toUpperCase().replace('@SHA256', '@sha256')}`];
  /** A scalar in one of YAML's spellings, at indentation ind. @param {string} s @param {string} ind */
  const scalar = (s, ind) => {
    const plainOk = !/^[$]|[{}]/.test(s) || !s.startsWith('$');
    switch (Math.floor(r() * 5)) {
      case 0: if (plainOk && !s.startsWith('$') && !s.includes('{')) return s; // fallthrough
      case 1: return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      case 2: return `'${s.replace(/'/g, "''")}'`;
      case 3: return `>-\n${ind}  ${s}`;
      default: return `|-\n${ind}  ${s}`;
    }
  };
  const docs = [];
  const ndocs = 1 + Math.floor(r() * 3);
  for (let d = 0; d < ndocs; d++) {
    const lines = [];
    const anchors = [];
    if (chance(0.4)) {
      lines.push(`x-base${d}: &base${d}`);
      lines.push(`  image: ${scalar(pick(images), '  ')}`);
      if (chance(0.3)) lines.push('  build: .');
      anchors.push(`base${d}`);
    }
    if (chance(0.1)) lines.push('include:', `  - ${pick(['a.yaml', 'https://x/c.yaml'])}`);
    if (chance(0.05)) lines.push('include: []');
    lines.push(chance(0.05) ? 'services: !reset {}' : 'services:');
    if (lines[lines.length - 1] === 'services:') {
      const used = new Set();
      const nsvc = 1 + Math.floor(r() * 3);
      for (let i = 0; i < nsvc; i++) {
        const name = pick(names);
        if (used.has(name)) continue;
        used.add(name);
        if (chance(0.1)) { lines.push(`  ${name}: {image: ${JSON.stringify(pick(images))}${chance(0.3) ? ', build: .' : ''}}`); continue; }
        if (chance(0.05)) { lines.push(`  ${name}: !reset`); continue; }
        lines.push(chance(0.08) ? `  ${name}: !override` : `  ${name}:`);
        const body = [];
        if (anchors.length && chance(0.4)) body.push(chance(0.5) ? `<<: *${anchors[0]}` : `<<: [*${anchors[0]}]`);
        if (chance(0.75)) {
          const tag = chance(0.1) ? '!reset ' : chance(0.05) ? '!override ' : '';
          body.push(`image: ${tag}${scalar(pick(images), '    ')}`);
        }
        if (chance(0.1)) body.push(chance(0.5) ? 'build: .' : 'build:\n      context: .');
        if (chance(0.06)) body.push('build: !reset null');
        if (chance(0.06)) body.push(`pull_policy: ${pick(['build', 'always', '${PP}'])}`);
        const earlier = [...used].filter((n) => n !== name);
        if (chance(0.15) && earlier.length) body.push(`extends: ${pick(earlier)}`);
        else if (chance(0.05)) body.push(`extends:\n      service: ${pick(names)}\n      file: other.yaml`);
        if (chance(0.25)) {
          const vl = ['volumes:'];
          const nv = 1 + Math.floor(r() * 3);
          for (let v = 0; v < nv; v++) {
            const t = pick(['/a', '/b', '/c']);
            const k = Math.floor(r() * 4);
            if (k === 0) vl.push(`      - ./data:${t}`);
            else if (k === 1) vl.push(`      - type: image\n        source: ${scalar(pick(images), '        ')}\n        target: ${t}`);
            else if (k === 2) vl.push(`      - {type: bind, source: ./x, target: ${t}}`);
            else vl.push(`      - type: ${pick(['image', 'volume', '"${VT}"'])}\n        source: ${JSON.stringify(pick(images))}\n        target: ${t}`);
          }
          if (chance(0.1)) vl[0] = 'volumes: !reset';
          body.push(vl.join('\n'));
        }
        if (chance(0.2)) body.push(`# a comment\n    restart: always`);
        if (body.length === 0) body.push('restart: "no"');
        for (const b of body) lines.push(`    ${b}`);
      }
    }
    docs.push(lines.join('\n') + '\n');
  }
  let text = (chance(0.3) ? '---\n' : '') + docs.join(chance(0.2) ? '...\n---\n' : '---\n');
  if (chance(0.1)) text += '...\n';
  return text;
}

test('fixed cases: each construct of issue 13 makes its entry not pinned, as Compose decides', { skip: !have && 'make compose-diff first' }, () => {
  const c = runAll(CLI, FIXED.map((f) => f.yaml));
  const o = runAll(ORACLE, FIXED.map((f) => f.yaml));
  FIXED.forEach((f, i) => {
    assert.ok(o[i].ok, `${f.name}: oracle: ${o[i].error}`);
    assert.ok(c[i].ok, `${f.name}: ${c[i].error}`);
    assert.deepEqual(norm(c[i]), norm(o[i]), f.name);
    for (const s of f.unpinned) {
      const e = c[i].images.filter((/** @type {any} */ x) => x.service === s);
      assert.ok(e.length && e.some((/** @type {any} */ x) => !x.pinned), `${f.name}: ${s} is not pinned`);
      assert.ok(e.every((/** @type {any} */ x) => x.reason), `${f.name}: every entry has a reason`);
    }
  });
});

test('generated compose files: the C reader agrees with yaml.v3 + Compose rules', { skip: !have && 'make compose-diff first' }, () => {
  const N = Number(process.env.COMPOSE_DIFF_N ?? 3000);
  const cases = Array.from({ length: N }, (_, i) => generate(i + 1));
  const c = runAll(CLI, cases);
  const o = runAll(ORACLE, cases);
  let agree = 0, refused = 0, unpinnedSeen = 0, pinnedSeen = 0;
  const bad = [];
  for (let i = 0; i < N; i++) {
    if (!c[i].ok) {
      // Fail closed: the C side may refuse, never with an empty reason.
      assert.ok(c[i].error.length > 10);
      refused++;
      continue;
    }
    if (!o[i].ok || JSON.stringify(norm(c[i])) !== JSON.stringify(norm(o[i]))) {
      bad.push({ seed: i + 1, yaml: cases[i], c: c[i], o: o[i] });
      continue;
    }
    agree++;
    for (const e of c[i].images) e.pinned ? pinnedSeen++ : unpinnedSeen++;
  }
  if (bad.length) console.log(JSON.stringify(bad.slice(0, 3), null, 1));
  assert.equal(bad.length, 0, `${bad.length} disagreement(s)`);
  // The generator must reach both outcomes, and the C side must read most of what Compose reads.
  assert.ok(refused < N * 0.15, `refused ${refused} of ${N}`);
  assert.ok(pinnedSeen > N / 10 && unpinnedSeen > N / 10, `pinned ${pinnedSeen}, unpinned ${unpinnedSeen}`);
  assert.ok(agree > N * 0.8);
});
